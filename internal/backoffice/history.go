package backoffice

import (
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
	"github.com/kabinet/kabinet/tin"
)

// The history of a record as the taxpayer page shows it (REG-6): every kind of change, field and
// enumerated value by its label in the page's language, never by its code.

type historyField struct{ Label, Old, New string }

type historyRow struct {
	At     time.Time
	Actor  string
	Action string
	Fields []historyField
	Note   string
}

// historyEnums names the enumeration of the fields whose values are codes, and the label of
// fields whose name in the history differs from the form's.
var historyEnums = map[string]struct{ label, enum string }{
	"status": {"status", "status"},
	"reason": {"reason_end", "end_reason"},
	"sex":    {"sex", "sex"},
	"ground": {"ground", "person_ground"},
}

func (h *Handler) historyRows(p *web.Page, changes []register.Change) []historyRow {
	out := make([]historyRow, 0, len(changes))
	for _, c := range changes {
		row := historyRow{At: c.At, Actor: c.Actor, Action: p.Enum("history", c.Action), Note: c.Note}
		if c.Action == "kpp_assigned" && c.Note != "" {
			row.Note = p.Enum("kpp_ground", c.Note)
		}
		for _, f := range c.Fields {
			label, old, nw := f.Field, f.Old, f.New
			if e, ok := historyEnums[f.Field]; ok {
				label = e.label
				old, nw = p.Enum(e.enum, f.Old), p.Enum(e.enum, f.New)
			} else {
				old, nw = h.historyValue(p, f.Field, f.Old), h.historyValue(p, f.Field, f.New)
			}
			row.Fields = append(row.Fields, historyField{Label: web.Label(p.Lang, label), Old: old, New: nw})
		}
		out = append(out, row)
	}
	return out
}

// snilsText writes a СНИЛС as it is printed, NNN-NNN-NNN NN (anything else as it is).
func snilsText(s string) string {
	if v, err := tin.ParseSNILS(s); err == nil {
		return v.Format()
	}
	return s
}

// historyValue words a recorded value as the rest of the page writes it: a document by its
// type's label ("passport_ru 7004 333333" → "паспорт гражданина Российской Федерации 7004
// 333333"), a СНИЛС as NNN-NNN-NNN NN, a citizenship and the country of an address by the
// country's name (ОКСМ), a date as DD.MM.YYYY.
func (h *Handler) historyValue(p *web.Page, field, v string) string {
	switch field {
	case "identity_document":
		code, rest, _ := strings.Cut(v, " ")
		if k := "enum.document_type." + code; i18n.Has(p.Lang, k) {
			return strings.Join(append([]string{p.T(k)}, strings.Fields(rest)...), " ")
		}
	case "snils":
		return snilsText(v)
	case "citizenship":
		if v != "" {
			return h.countryName(p, v)
		}
	case "address", "kpp_address":
		// An address is recorded as its parts joined by commas, a foreign one's country first.
		if first, rest, ok := strings.Cut(v, ", "); ok || len(v) == 3 {
			if _, known := h.d.Register.Reference().CountryByAlpha3(first); known {
				if rest == "" {
					return h.countryName(p, first)
				}
				return h.countryName(p, first) + ", " + rest
			}
		}
	}
	return dayText(v)
}

// dayText writes a recorded date (YYYY-MM-DD) as the pages write dates, DD.MM.YYYY; anything
// else as it is.
func dayText(v string) string {
	if d, err := time.Parse(time.DateOnly, v); err == nil && len(v) == len(time.DateOnly) {
		return d.Format("02.01.2006")
	}
	return v
}

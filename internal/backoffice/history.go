package backoffice

import (
	"time"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
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

func historyRows(p *web.Page, changes []register.Change) []historyRow {
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
			}
			row.Fields = append(row.Fields, historyField{Label: web.Label(p.Lang, label), Old: old, New: nw})
		}
		out = append(out, row)
	}
	return out
}

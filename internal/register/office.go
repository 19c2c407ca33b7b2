package register

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
	_ "time/tzdata" // the offices' time zones must load on a machine without a zoneinfo database (REG-9)

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
)

// The directory of tax offices: the jurisdiction's embedded one and those added. A Russian
// office's 4-digit code is the first part of every TIN it assigns (TIN-1); a Kyrgyz УГНС has a
// 3-digit code of its own (package jurisdiction, kg/offices.csv).

// Office is a tax office.
type Office struct {
	Code   string
	Name   string
	Region string
}

// OfficeCard is a tax office as an extract names it (REG-9): the directory's entry with the
// office's full name, postal address and time zone, in which the extract gives its time of issue.
type OfficeCard struct {
	Office
	FullName string
	Address  string
	TimeZone string // an IANA name, "Europe/Moscow"
	// Texts are the office's names and address in other languages than the directory's own, by
	// language (the columns name.ky, full_name.ky, address.ky: a УГНС in Kyrgyz); In picks them.
	Texts map[string]OfficeText
}

// OfficeText is how a tax office is named in one language: a page or a document in that language
// shows these (an empty one: the directory's own).
type OfficeText struct {
	Name, FullName, Address string
}

// In returns the card as a page or a document in lang names the office: its name, full name and
// address in lang where the directory has them (the Kyrgyz УГНС on Kyrgyz pages and in the
// Kyrgyz extract), else as the directory writes them.
func (c OfficeCard) In(lang string) OfficeCard {
	t, ok := c.Texts[lang]
	if !ok {
		return c
	}
	if t.Name != "" {
		c.Name = t.Name
	}
	if t.FullName != "" {
		c.FullName = t.FullName
	}
	if t.Address != "" {
		c.Address = t.Address
	}
	return c
}

// DefaultTimeZone is the time zone of an office a directory file gives none for: Moscow time, in
// which the Russian tax administration works. An office added at run time has its
// jurisdiction's time zone.
const DefaultTimeZone = "Europe/Moscow"

// Messages of the directory of tax offices.
var (
	msgOfficeExists  = problem.Msg("register.office_exists")
	msgOfficeFormat  = problem.Msg("register.office_format")
	msgOfficeUnknown = problem.Msg("register.office_unknown")
)

// LoadOffices puts the embedded directory of tax offices into the store (offices already there
// stay as they are). A server calls it at start; otherwise the first call that needs the
// directory does it.
func (s *Service) LoadOffices(ctx context.Context) error { return s.loadOffices(ctx) }

// loadOffices puts the embedded directory of tax offices into the store once per Service.
func (s *Service) loadOffices(ctx context.Context) error {
	s.officesMu.Lock()
	defer s.officesMu.Unlock()
	if s.officesLoaded {
		return nil
	}
	if err := s.store.Update(ctx, func(tx Tx) error { return tx.InsertOffices(ctx, s.dir.offices) }); err != nil {
		return err
	}
	s.officesLoaded = true
	return nil
}

// officeKnown reports whether code is in the directory (embedded or added).
func (s *Service) officeKnown(ctx context.Context, code string) (bool, error) {
	if _, ok := s.dir.index[code]; ok {
		return true, nil
	}
	if err := s.loadOffices(ctx); err != nil {
		return false, err
	}
	_, err := s.store.Office(ctx, code)
	if problem.Is(err, problem.NotFound) {
		return false, nil
	}
	return err == nil, err
}

// checkOffice adds a field error when code is well-formed but unknown.
func (s *Service) checkOffice(ctx context.Context, fe *problem.Fields, field, code string) error {
	if fe.Has(field) || code == "" {
		return nil
	}
	ok, err := s.officeKnown(ctx, code)
	if err != nil {
		return err
	}
	if !ok {
		fe.Add(field, msgOfficeUnknown.With(code))
	}
	return nil
}

// checkOfficeFormat checks a tax office code's format, its jurisdiction's number of digits;
// whether it exists is checked by the service against the directory.
func (s *Service) checkOfficeFormat(fe *problem.Fields, field, code string) bool {
	if code == "" {
		fe.Add(field, fieldMsg(msgRequired, field))
		return false
	}
	if n := s.profile.Register.OfficeDigits; !isDigits(code, n) {
		fe.Add(field, msgOfficeFormat.With(n))
		return false
	}
	return true
}

// Offices lists the tax offices of the directory (embedded reference data plus additions).
func (s *Service) Offices(ctx context.Context) ([]Office, error) {
	if err := s.loadOffices(ctx); err != nil {
		return nil, err
	}
	return s.store.Offices(ctx)
}

// AddOffice extends the directory of tax offices.
func (s *Service) AddOffice(ctx context.Context, actor audit.Actor, o Office) error {
	var fe problem.Fields
	checkLine(&fe, "name", o.Name)
	o.Code, o.Name, o.Region = strings.TrimSpace(o.Code), collapse(o.Name), strings.TrimSpace(o.Region)
	if s.checkOfficeFormat(&fe, "code", o.Code) {
		prefix := s.profile.Register.OfficeRegionPrefix // TIN-1: a Russian office's code begins with its region's
		if o.Region == "" && prefix {
			o.Region = o.Code[:2]
		}
		switch _, known := s.ref.RegionName(o.Region); {
		case o.Region == "":
			fe.Add("region", fieldMsg(msgRequired, "region"))
		case prefix && o.Region != o.Code[:2]:
			fe.Add("region", problem.Msg("register.office_region"))
		case !known:
			fe.Add("region", msgRegionUnknown.With(o.Region, s.ref.regionsLabel()))
		}
	}
	if !fe.Has("name") {
		checkText(&fe, "name", o.Name, true, 300)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if err := s.loadOffices(ctx); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Office(ctx, o.Code); err == nil {
			return &problem.Error{Code: problem.Conflict, Message: msgOfficeExists.With(o.Code), Fields: []problem.FieldError{{Field: "code", Message: msgOfficeExists.With(o.Code)}}}
		} else if !problem.Is(err, problem.NotFound) {
			return err
		}
		if err := tx.InsertOffices(ctx, []Office{o}); err != nil {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "office.add", "office:"+o.Code, "name="+o.Name))
	})
}

// Location returns the office's time zone (Moscow time when it has none or an unknown one;
// OfficeCard gives every office its jurisdiction's zone when it has none of its own).
func (c OfficeCard) Location() *time.Location {
	if c.TimeZone != "" {
		if loc, err := time.LoadLocation(c.TimeZone); err == nil {
			return loc
		}
	}
	loc, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		return time.UTC // unreachable: time/tzdata is linked in
	}
	return loc
}

// OfficeCard returns how an extract names the tax office code (REG-9). An office of the embedded
// directory has its full name, address and time zone; one added with AddOffice has its name
// only, and its jurisdiction's time zone.
func (s *Service) OfficeCard(ctx context.Context, code string) (OfficeCard, error) {
	if c, ok := s.dir.cards[code]; ok {
		return c, nil
	}
	if err := s.loadOffices(ctx); err != nil {
		return OfficeCard{}, err
	}
	o, err := s.store.Office(ctx, code)
	if err != nil {
		return OfficeCard{}, err
	}
	return OfficeCard{Office: *o, FullName: o.Name, TimeZone: s.profile.TimeZone}, nil
}

// ParseOffices reads a directory of tax offices in CSV with a header line. The columns code,
// region and name are required; full_name, address and time_zone (REG-9) may follow, so a file
// of the first three columns only, as the directory was before, still reads: its offices are
// named in full by their name and keep Moscow time. A time zone must be a known IANA name.
// Columns name.LANG, full_name.LANG and address.LANG (name.ky …) name the office in another
// language (OfficeCard.Texts).
func ParseOffices(r io.Reader) ([]OfficeCard, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("offices: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"code", "region", "name"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("offices: no column %q", need)
		}
	}
	zones := map[string]bool{}
	var out []OfficeCard
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("offices: %w", err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		c := OfficeCard{Office: Office{Code: get("code"), Region: get("region"), Name: get("name")},
			FullName: get("full_name"), Address: get("address"), TimeZone: get("time_zone")}
		if c.Code == "" || c.Name == "" {
			return nil, fmt.Errorf("offices: line %d: code and name are required", len(out)+2)
		}
		if c.FullName == "" {
			c.FullName = c.Name
		}
		for h := range col {
			field, lang, ok := strings.Cut(h, ".")
			if !ok || lang == "" || field != "name" && field != "full_name" && field != "address" {
				continue
			}
			v := get(h)
			if v == "" {
				continue
			}
			if c.Texts == nil {
				c.Texts = map[string]OfficeText{}
			}
			t := c.Texts[lang]
			switch field {
			case "name":
				t.Name = v
			case "full_name":
				t.FullName = v
			default:
				t.Address = v
			}
			c.Texts[lang] = t
		}
		if c.TimeZone == "" {
			c.TimeZone = DefaultTimeZone
		}
		if !zones[c.TimeZone] {
			if _, err := time.LoadLocation(c.TimeZone); err != nil {
				return nil, fmt.Errorf("offices: %s: time zone: %w", c.Code, err)
			}
			zones[c.TimeZone] = true
		}
		out = append(out, c)
	}
}

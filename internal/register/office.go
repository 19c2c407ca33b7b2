package register

import (
	"context"
	"strings"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
)

// The directory of tax offices: the embedded one and those added (a TIN starts with its office).

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
	if err := s.store.Update(ctx, func(tx Tx) error { return tx.InsertOffices(ctx, embeddedOffices) }); err != nil {
		return err
	}
	s.officesLoaded = true
	return nil
}

// officeKnown reports whether code is in the directory (embedded or added).
func (s *Service) officeKnown(ctx context.Context, code string) (bool, error) {
	if _, ok := officeIndex[code]; ok {
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
	o.Code, o.Name, o.Region = strings.TrimSpace(o.Code), collapse(o.Name), strings.TrimSpace(o.Region)
	if checkOfficeFormat(&fe, "code", o.Code) {
		if o.Region == "" {
			o.Region = o.Code[:2]
		}
		if o.Region != o.Code[:2] {
			fe.Add("region", problem.Msg("register.office_region"))
		} else if _, ok := regionNames[o.Region]; !ok {
			fe.Add("region", msgRegionUnknown.With(o.Region))
		}
	}
	checkText(&fe, "name", o.Name, true, 300)
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

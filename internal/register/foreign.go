package register

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
	"github.com/kabinet/kabinet/tin"
)

// REG-8, TIN-3: foreign organizations and the КИО directory.

// KIOInput is the identification block of the КИО directory (REG-8).
type KIOInput struct {
	NameRu      string // full name in Russian
	NameLatin   string // full name in Latin letters
	ShortNameRu string // short name in Russian, if any
	Address     string // full address in the country of registration
	Country     string // country name
	OKSM        string // ОКСМ numeric code of the country, 3 digits
	RegNumber   string // registration number in the country of registration
	TaxCode     string // taxpayer code in the country of registration
}

// KIO is an entry of the КИО directory: the code block and the identification block (REG-8).
type KIO struct {
	Code       string // 5 digits
	AssignedOn time.Time
	ChangedOn  *time.Time
	InvalidOn  *time.Time
	KIOInput
}

// ForeignOrganizationInput registers a foreign organization (TIN-3, REG-5, REG-8). Either KIO names
// an existing КИО, or Identification is used to find or create one.
type ForeignOrganizationInput struct {
	KIO            string
	Identification KIOInput
	TaxOffice      string // the office registering it on this ground (for the КПП)
	Reason         string // КПП reason code, 50–99 or letters; default 50
	Address        Address
}

// ForeignOffice is the index under which foreign organizations get their TINs (TIN-3).
const ForeignOffice = "9909"

// Messages of the КИО directory and foreign organizations.
var (
	msgKIONotFound = problem.Msg("register.kio_not_found")
	msgKIOTaken    = problem.Msg("register.kio_taken")
	msgOKSM        = problem.Msg("register.oksm")
	msgKIOFormat   = problem.Msg("register.kio_format")
	msgOKSMUnknown = problem.Msg("register.oksm_unknown")
	msgCountryOKSM = problem.Msg("register.country_oksm")
)

// validateKIOInput checks the identification block of the КИО directory (REG-8): every field
// one line of text, the ОКСМ code of a foreign country, and the country's name that code's.
func validateKIOInput(fe *problem.Fields, in *KIOInput, ref *Reference) {
	ok := map[string]bool{}
	for _, f := range [...]struct {
		name string
		v    *string
	}{{"identification.name_ru", &in.NameRu}, {"identification.name_latin", &in.NameLatin}, {"identification.short_name_ru", &in.ShortNameRu},
		{"identification.address", &in.Address}, {"identification.country", &in.Country}, {"identification.oksm", &in.OKSM},
		{"identification.reg_number", &in.RegNumber}, {"identification.tax_code", &in.TaxCode}} {
		if ok[f.name] = checkLine(fe, f.name, *f.v); ok[f.name] {
			*f.v = collapse(*f.v)
		}
	}
	text := func(field, v string, required bool, max int) {
		if ok[field] {
			checkText(fe, field, v, required, max)
		}
	}
	text("identification.name_ru", in.NameRu, true, 1000)
	text("identification.name_latin", in.NameLatin, true, 1000)
	if ok["identification.name_latin"] {
		for _, r := range in.NameLatin {
			if r > 0x24F { // Latin letters, digits, punctuation only
				fe.Add("identification.name_latin", fieldMsg(msgOrgName, "identification.name_latin"))
				break
			}
		}
	}
	text("identification.short_name_ru", in.ShortNameRu, false, 500)
	text("identification.address", in.Address, false, 1000)
	text("identification.country", in.Country, true, 200)
	if ok["identification.oksm"] {
		country, known := ref.Country(in.OKSM)
		switch {
		case !isDigits(in.OKSM, 3):
			fe.Add("identification.oksm", msgOKSM)
		case in.OKSM == "643":
			fe.Add("identification.oksm", problem.Msg("register.oksm_russia"))
		case !known:
			fe.Add("identification.oksm", msgOKSMUnknown.With(in.OKSM))
		case in.Country != "" && !fe.Has("identification.country") && !ref.countryNamed(in.OKSM, in.Country):
			// REG-8: the country and its ОКСМ code are one country: its name in Russian or English
			fe.Add("identification.country", msgCountryOKSM.With(in.Country, in.OKSM, country))
		}
	}
	text("identification.reg_number", in.RegNumber, false, 100)
	text("identification.tax_code", in.TaxCode, false, 100)
}

// RegisterForeignOrganization registers a foreign organization: 9909 + КИО + check digit, reusing
// an existing КИО or creating one (TIN-3, REG-8), and a КПП on its ground.
func (s *Service) RegisterForeignOrganization(ctx context.Context, actor audit.Actor, in ForeignOrganizationInput) (Result, error) {
	if err := s.kppApplies(); err != nil {
		return Result{}, err
	}
	in, err := s.checkForeignOrganization(ctx, in)
	if err != nil {
		return Result{}, err
	}
	now := s.now()
	var res Result
	err = s.store.Update(ctx, func(tx Tx) error {
		res = Result{}
		k, action, err := s.kioFor(ctx, tx, in, now)
		if err != nil {
			return err
		}
		if k.InvalidOn != nil {
			return problem.InvalidField("kio", problem.Msg("register.kio_invalid"))
		}
		tin, err := newForeignTIN(k.Code)
		if err != nil {
			return err
		}
		if t, err := tx.Taxpayer(ctx, tin); err == nil {
			res = Result{Taxpayer: t}
			return nil
		} else if !problem.Is(err, problem.NotFound) {
			return err
		}
		kpp, err := s.newKPP(ctx, tx, in.TaxOffice, in.Reason)
		if err != nil {
			return err
		}
		t := &Taxpayer{TIN: tin, Kind: KindForeign, Status: StatusActive, TaxOffice: in.TaxOffice, RegisteredOn: civil(now), Version: 1, Foreign: k,
			KPPs: []KPP{{Code: kpp, Ground: KPPLocation, TaxOffice: in.TaxOffice, Reason: in.Reason, Address: in.Address, AssignedOn: civil(now)}}}
		if err := tx.InsertTaxpayers(ctx, []NewTaxpayer{{Taxpayer: *t, NameNorm: NormalizeName(k.NameRu), At: now.UTC(), Actor: actor.Login}}, nil); err != nil {
			return err
		}
		t.History = []Change{{At: now.UTC(), Actor: actor.Login, Action: "registered"}}
		res = Result{Taxpayer: t, Created: true}
		return tx.Audit(ctx, s.entry(actor, action, "kio:"+k.Code, ""), s.entry(actor, "foreign.register", tin, "kio="+k.Code+" kpp="+kpp))
	})
	return res, err
}

// checkForeignOrganization checks a foreign organization's registration: a КИО code or the
// identification block to find or create one by (REG-8), the office (the index 9909 when none)
// and the КПП reason (50 when none, TIN-4).
func (s *Service) checkForeignOrganization(ctx context.Context, in ForeignOrganizationInput) (ForeignOrganizationInput, error) {
	var fe problem.Fields
	in.KIO = strings.TrimSpace(in.KIO)
	if in.KIO != "" {
		if !isDigits(in.KIO, 5) {
			fe.Add("kio", msgKIOFormat)
		}
	} else {
		validateKIOInput(&fe, &in.Identification, s.ref)
	}
	in.TaxOffice = strings.TrimSpace(in.TaxOffice)
	if in.TaxOffice == "" {
		in.TaxOffice = ForeignOffice
	}
	if s.checkOfficeFormat(&fe, "tax_office", in.TaxOffice) {
		if err := s.checkOffice(ctx, &fe, "tax_office", in.TaxOffice); err != nil {
			return in, err
		}
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		in.Reason = ReasonForeign
	}
	s.checkReason(&fe, in.Reason, KindForeign)
	checkAddress(&fe, in.Address, s.ref)
	return in, fe.Err()
}

// kioFor returns the КИО of a registration and the audit action on the directory (REG-8): the
// КИО named, or the one registered under the same ОКСМ code and registration number (reused), or
// a new one made from the identification block (created).
func (s *Service) kioFor(ctx context.Context, tx Tx, in ForeignOrganizationInput, now time.Time) (*KIO, string, error) {
	var k *KIO
	var err error
	if in.KIO != "" {
		k, err = tx.KIO(ctx, in.KIO)
		if problem.Is(err, problem.NotFound) {
			return nil, "", problem.InvalidField("kio", msgKIONotFound.With(in.KIO))
		}
		if err != nil {
			return nil, "", err
		}
	} else if in.Identification.RegNumber != "" {
		if k, err = tx.FindKIO(ctx, in.Identification.OKSM, in.Identification.RegNumber); err != nil {
			return nil, "", err
		}
	}
	if k != nil {
		return k, "kio.reuse", nil
	}
	// REG-8: not in the directory: include it and assign a КИО.
	serial, err := tx.NextSerials(ctx, scopeKIO, "", 1, 1)
	if err != nil {
		return nil, "", err
	}
	if serial > 99999 {
		return nil, "", problem.New(problem.Conflict, msgSerialsExhausted.With(ForeignOffice))
	}
	k = &KIO{Code: fmt.Sprintf("%05d", serial), AssignedOn: civil(now), KIOInput: in.Identification}
	if err := tx.InsertKIO(ctx, k, NormalizeName(k.NameRu)); err != nil {
		return nil, "", err
	}
	return k, "kio.create", nil
}

// newForeignTIN builds 9909 + КИО + check digit (TIN-3).
func newForeignTIN(kio string) (string, error) {
	if !isDigits(kio, 5) {
		return "", fmt.Errorf("register: bad KIO %q", kio)
	}
	n, _ := strconv.Atoi(kio)
	return tin.NewForeignINN(n)
}

// KIO returns a КИО directory entry.
func (s *Service) KIO(ctx context.Context, code string) (*KIO, error) {
	return s.store.KIO(ctx, strings.TrimSpace(code))
}

// ListKIO lists the КИО directory, filtered by a name or code prefix.
func (s *Service) ListKIO(ctx context.Context, query string, limit int) ([]KIO, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := strings.TrimSpace(query)
	if !digitsOnly(q) {
		q = NormalizeName(q)
	}
	return s.store.ListKIO(ctx, q, limit)
}

// UpdateKIO changes a КИО's identification block by application (REG-8): the code stays, the date
// of change is set, and the change goes into the history of the foreign organization's TIN.
func (s *Service) UpdateKIO(ctx context.Context, actor audit.Actor, code string, in KIOInput) (*KIO, error) {
	var fe problem.Fields
	validateKIOInput(&fe, &in, s.ref)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	var out *KIO
	err := s.store.Update(ctx, func(tx Tx) error {
		k, err := tx.KIO(ctx, code)
		if err != nil {
			return err
		}
		var fs []FieldChange
		cmp := func(field, old, new string) {
			if old != new {
				fs = append(fs, FieldChange{Field: field, Old: old, New: new})
			}
		}
		cmp("name_ru", k.NameRu, in.NameRu)
		cmp("name_latin", k.NameLatin, in.NameLatin)
		cmp("short_name_ru", k.ShortNameRu, in.ShortNameRu)
		cmp("address", k.Address, in.Address)
		cmp("country", k.Country, in.Country)
		cmp("oksm", k.OKSM, in.OKSM)
		cmp("reg_number", k.RegNumber, in.RegNumber)
		cmp("tax_code", k.TaxCode, in.TaxCode)
		out = k
		if len(fs) == 0 {
			return nil
		}
		d := civil(now)
		k.KIOInput, k.ChangedOn = in, &d
		if err := tx.UpdateKIO(ctx, k, NormalizeName(k.NameRu)); err != nil {
			if errors.Is(err, storeerr.ErrKeyTaken) {
				return &problem.Error{Code: problem.Conflict, Message: msgKIOTaken, Fields: []problem.FieldError{{Field: "identification.reg_number", Message: msgKIOTaken}}, Err: err}
			}
			return err
		}
		tin, err := newForeignTIN(k.Code)
		if err != nil {
			return err
		}
		if t, err := tx.LockTaxpayer(ctx, tin); err == nil {
			if err := tx.UpdateTaxpayer(ctx, t, NormalizeName(k.NameRu)); err != nil {
				return err
			}
			if err := tx.AddChange(ctx, tin, Change{At: now.UTC(), Actor: actor.Login, Action: "kio_changed", Fields: fs}); err != nil {
				return err
			}
		} else if !problem.Is(err, problem.NotFound) {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "kio.update", "kio:"+k.Code, auditFields(fs)))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

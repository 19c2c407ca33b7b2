package register

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// REG-6: changes of data; the TIN stays and the history records each old and new value.

// FieldChange is one field's change in the history.
type FieldChange struct {
	Field string
	Old   string
	New   string
}

// Change is one entry of a taxpayer's history (REG-6).
type Change struct {
	Seq    int64
	At     time.Time
	Actor  string // staff login or process name
	Action string // registered, updated, kpp_assigned, deregistered, not_applied, duplicate_of, document_added, ...
	Fields []FieldChange
	Note   string
}

// PersonUpdate changes an individual's data; nil fields stay as they are. The TIN never changes (REG-6).
type PersonUpdate struct {
	Surname, GivenName, Patronymic, BirthPlace, Citizenship, SNILS *string
	BirthDate                                                      *time.Time
	Sex                                                            *Sex
	Address                                                        *Address
	Document                                                       *IdentityDocument // a new current document; the old one stays on record
	TaxOffice                                                      *string           // a move to another office
	Note                                                           string
}

// OrganizationUpdate changes an organization's data; nil fields stay as they are.
type OrganizationUpdate struct {
	FullName, ShortName, OGRN *string
	Address                   *Address
	// Head and Accountant replace the signatories where the jurisdiction keeps them (KG-1); an
	// Accountant with an empty TIN removes the accountant (the head stays required).
	Head, Accountant *Signatory
	Note             string
}

// Messages of the changes of data.
var (
	msgOGRNTaken           = problem.Msg("register.ogrn_taken")
	msgCitizenshipDocument = problem.Msg("register.citizenship_document")
	msgBirthDocument       = problem.Msg("register.birth_document")
)

// UpdatePerson changes an individual's data and records the change in the history (REG-6).
func (s *Service) UpdatePerson(ctx context.Context, actor audit.Actor, tin string, u PersonUpdate) (*Taxpayer, error) {
	now := s.now()
	if err := s.checkPersonUpdate(ctx, &u, now); err != nil {
		return nil, err
	}
	var out *Taxpayer
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.LockTaxpayer(ctx, tin)
		if err != nil {
			return err
		}
		if t.Person == nil {
			return problem.New(problem.Conflict, msgWrongKind)
		}
		if t.Status == StatusNotApplied {
			return problem.New(problem.Conflict, msgNotApplied.With(tin))
		}
		fs := changePerson(t, u)
		changed := map[string]bool{}
		for _, f := range fs {
			changed[f.Field] = true
		}
		if err := s.checkCurrentDocument(t.Person, u.Document, changed["citizenship"], changed["birth_date"], now); err != nil {
			return err
		}
		if u.Document != nil {
			f, err := addDocument(ctx, tx, t, *u.Document)
			if err != nil {
				return err
			}
			fs = append(fs, f...)
		}
		out = t
		if len(fs) == 0 {
			return nil
		}
		return s.writeUpdate(ctx, tx, actor, t, fs, u.Note, now, "snils", msgSNILSTaken)
	})
	if err != nil {
		return nil, err
	}
	return s.Taxpayer(ctx, out.TIN)
}

// checkPersonUpdate checks each field an update gives as a registration checks it, and puts it
// in the form the register keeps (spaces collapsed, СНИЛС in digits, dates civil).
func (s *Service) checkPersonUpdate(ctx context.Context, u *PersonUpdate, now time.Time) error {
	var fe problem.Fields
	// line checks that a field given is one line of text and collapses its spaces.
	line := func(field string, p *string) bool {
		if p == nil || !checkLine(&fe, field, *p) {
			return false
		}
		*p = collapse(*p)
		return true
	}
	if line("surname", u.Surname) {
		checkCyrillicName(&fe, "surname", *u.Surname, true)
	}
	if line("given_name", u.GivenName) {
		checkCyrillicName(&fe, "given_name", *u.GivenName, true)
	}
	if line("patronymic", u.Patronymic) {
		checkCyrillicName(&fe, "patronymic", *u.Patronymic, false)
	}
	if line("birth_place", u.BirthPlace) {
		checkText(&fe, "birth_place", *u.BirthPlace, false, 300)
	}
	if u.BirthDate != nil {
		checkBirthDate(&fe, *u.BirthDate, now)
		d := civil(*u.BirthDate)
		u.BirthDate = &d
	}
	if u.Sex != nil && *u.Sex != Male && *u.Sex != Female {
		fe.Add("sex", msgSex)
	}
	if line("citizenship", u.Citizenship) {
		checkCitizenship(&fe, *u.Citizenship, s.ref)
	}
	notApplicable(&fe, "snils", u.SNILS != nil && strings.TrimSpace(*u.SNILS) != "", s.profile.Register.SNILS)
	if u.SNILS != nil && !fe.Has("snils") && checkLine(&fe, "snils", *u.SNILS) {
		v := strings.TrimSpace(*u.SNILS)
		if v != "" {
			canon, m, ok := parseSNILS(v)
			if !ok {
				fe.Add("snils", m)
			}
			v = canon
		}
		u.SNILS = &v
	}
	if u.Document != nil {
		d := *u.Document
		d.Type, d.Series, d.Number = strings.TrimSpace(d.Type), strings.TrimSpace(d.Series), strings.TrimSpace(d.Number)
		checkDocument(&fe, d, s.ref)
		d.IssuedBy = collapse(d.IssuedBy)
		if !d.IssuedOn.IsZero() {
			d.IssuedOn = civil(d.IssuedOn)
		}
		u.Document = &d
	}
	if u.TaxOffice != nil {
		o := strings.TrimSpace(*u.TaxOffice)
		u.TaxOffice = &o
		if s.checkOfficeFormat(&fe, "tax_office", o) {
			if err := s.checkOffice(ctx, &fe, "tax_office", o); err != nil {
				return err
			}
		}
	}
	if u.Address != nil {
		checkAddress(&fe, *u.Address, s.ref)
	}
	if line("note", &u.Note) {
		checkText(&fe, "note", u.Note, false, 1000)
	}
	return fe.Err()
}

// changePerson writes the fields an update gives into the record and returns those that changed,
// with their old and new values (REG-6). A new document is added by addDocument.
func changePerson(t *Taxpayer, u PersonUpdate) []FieldChange {
	p := t.Person
	var fs []FieldChange
	set := func(field string, dst *string, v *string) { setField(&fs, field, dst, v) }
	set("surname", &p.Surname, u.Surname)
	set("given_name", &p.GivenName, u.GivenName)
	set("patronymic", &p.Patronymic, u.Patronymic)
	set("birth_place", &p.BirthPlace, u.BirthPlace)
	set("citizenship", &p.Citizenship, u.Citizenship)
	set("snils", &p.SNILS, u.SNILS)
	set("tax_office", &t.TaxOffice, u.TaxOffice)
	if u.BirthDate != nil && !u.BirthDate.Equal(p.BirthDate) {
		fs = append(fs, FieldChange{Field: "birth_date", Old: formatDate(p.BirthDate), New: formatDate(*u.BirthDate)})
		p.BirthDate = *u.BirthDate
	}
	if u.Sex != nil && *u.Sex != p.Sex {
		fs = append(fs, FieldChange{Field: "sex", Old: string(p.Sex), New: string(*u.Sex)})
		p.Sex = *u.Sex
	}
	if u.Address != nil && *u.Address != p.Address {
		fs = append(fs, FieldChange{Field: "address", Old: formatAddress(p.Address), New: formatAddress(*u.Address)})
		p.Address = *u.Address
	}
	return fs
}

// setField writes v into dst when an update gives it and it differs, and records the change in fs.
func setField(fs *[]FieldChange, field string, dst, v *string) {
	if v != nil && *v != *dst {
		*fs = append(*fs, FieldChange{Field: field, Old: *dst, New: *v})
		*dst = *v
	}
}

// addDocument makes doc the person's current document (REG-3, REG-6): its key is recorded for
// the person, unless it is on record for them already (nothing changes then); a document on
// record for another person is refused.
func addDocument(ctx context.Context, tx Tx, t *Taxpayer, doc IdentityDocument) ([]FieldChange, error) {
	p := t.Person
	key := DocumentKey(doc)
	holder, err := tx.PersonByDocument(ctx, key)
	if err != nil {
		return nil, err
	}
	switch holder {
	case "":
		old := ""
		if len(p.Documents) > 0 {
			old = formatDocument(p.Documents[0])
		}
		if err := tx.InsertDocument(ctx, NewDocument{TIN: t.TIN, Key: key}); err != nil {
			if errors.Is(err, storeerr.ErrKeyTaken) {
				return nil, problem.InvalidField("identity_document", msgDocOther)
			}
			return nil, err
		}
		p.Documents = append([]IdentityDocument{doc}, p.Documents...)
		return []FieldChange{{Field: "identity_document", Old: old, New: formatDocument(doc)}}, nil
	case t.TIN: // already on record for this person: nothing changes
		return nil, nil
	default:
		return nil, &problem.Error{Code: problem.Conflict, Message: msgDocOther, Fields: []problem.FieldError{{Field: "identity_document", Message: msgDocOther}}}
	}
}

// checkCurrentDocument checks, after a change, that the person's current identity document (a
// new one, or the one on record when the citizenship or the birth date changed) fits the
// citizenship and was issued after birth, a Russian passport at 14 or later (REG-3). A change of
// other data is not refused for what the record already held.
func (s *Service) checkCurrentDocument(p *Person, doc *IdentityDocument, citizenshipChanged, birthChanged bool, now time.Time) error {
	cur := doc
	if cur == nil && len(p.Documents) > 0 && (citizenshipChanged || birthChanged) {
		cur = &p.Documents[0]
	}
	if cur == nil || cur.Type == "" {
		return nil
	}
	var fe problem.Fields
	if m, bad := documentFor(cur.Type, p.Citizenship, s.ref); bad {
		if doc != nil {
			fe.Add("identity_document.type", m)
		} else if citizenshipChanged {
			fe.Add("citizenship", msgCitizenshipDocument.With(docTypeLabel(cur.Type)))
		}
	}
	if m, bad := issuedProblem(*cur, p.BirthDate, now); bad {
		if doc != nil {
			fe.Add("identity_document.issued_on", m)
		} else if birthChanged {
			fe.Add("birth_date", msgBirthDocument.With(civilDate(cur.IssuedOn)))
		}
	}
	return fe.Err()
}

// UpdateOrganization changes an organization's data and records it in the history (REG-6).
func (s *Service) UpdateOrganization(ctx context.Context, actor audit.Actor, tin string, u OrganizationUpdate) (*Taxpayer, error) {
	var fe problem.Fields
	if u.FullName != nil && checkLine(&fe, "full_name", *u.FullName) {
		v := collapse(*u.FullName)
		u.FullName = &v
		checkText(&fe, "full_name", v, true, 1000)
	}
	if u.ShortName != nil && checkLine(&fe, "short_name", *u.ShortName) {
		v := collapse(*u.ShortName)
		u.ShortName = &v
		checkText(&fe, "short_name", v, false, 500)
	}
	if checkLine(&fe, "note", u.Note) {
		u.Note = collapse(u.Note)
		checkText(&fe, "note", u.Note, false, 1000)
	}
	notApplicable(&fe, "ogrn", u.OGRN != nil && strings.TrimSpace(*u.OGRN) != "", s.profile.Register.OGRN)
	if u.OGRN != nil && !fe.Has("ogrn") {
		v := strings.TrimSpace(*u.OGRN)
		u.OGRN = &v
		if _, m, ok := parseOGRN(v); !ok && s.profile.Register.OGRN {
			fe.Add("ogrn", m)
		}
	}
	u.Head, u.Accountant = copySignatory(u.Head), copySignatory(u.Accountant)
	if u.Head != nil && u.Head.TIN == "" {
		fe.Add("head.tin", fieldMsg(msgRequired, "head.tin"))
	}
	s.checkSignatories(&fe, u.Head, u.Accountant, false) // KG-1
	if u.Address != nil {
		checkAddress(&fe, *u.Address, s.ref)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.LockTaxpayer(ctx, tin)
		if err != nil {
			return err
		}
		if t.Organization == nil {
			return problem.New(problem.Conflict, msgWrongKind)
		}
		if t.Status == StatusNotApplied {
			return problem.New(problem.Conflict, msgNotApplied.With(tin))
		}
		o := t.Organization
		var fs []FieldChange
		set := func(field string, dst *string, v *string) { setField(&fs, field, dst, v) }
		set("full_name", &o.FullName, u.FullName)
		set("short_name", &o.ShortName, u.ShortName)
		set("ogrn", &o.OGRN, u.OGRN)
		if u.Address != nil && *u.Address != o.Address {
			fs = append(fs, FieldChange{Field: "address", Old: formatAddress(o.Address), New: formatAddress(*u.Address)})
			o.Address = *u.Address
		}
		for _, c := range []struct {
			field string
			dst   **Signatory
			v     *Signatory
		}{{"head", &o.Head, u.Head}, {"accountant", &o.Accountant, u.Accountant}} { // KG-1
			if c.v == nil || (*c.dst != nil && (*c.dst).TIN == c.v.TIN) || (*c.dst == nil && c.v.TIN == "") {
				continue
			}
			if err := resolveSignatory(ctx, tx, c.field+".tin", c.v); err != nil {
				return err
			}
			fs = append(fs, FieldChange{Field: c.field, Old: formatSignatory(*c.dst), New: formatSignatory(signatoryOrNil(c.v))})
			*c.dst = signatoryOrNil(c.v)
		}
		if len(fs) == 0 {
			return nil
		}
		return s.writeUpdate(ctx, tx, actor, t, fs, u.Note, now, "ogrn", msgOGRNTaken)
	})
	if err != nil {
		return nil, err
	}
	return s.Taxpayer(ctx, tin)
}

// writeUpdate writes a changed record, the change in its history and the audit entry (REG-6). A
// unique key of the new data held by another record (a person's СНИЛС, an organization's ОГРН) is
// a Conflict on field, with m.
func (s *Service) writeUpdate(ctx context.Context, tx Tx, actor audit.Actor, t *Taxpayer, fs []FieldChange, note string, now time.Time,
	field string, m problem.Message) error {
	if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
		if errors.Is(err, storeerr.ErrKeyTaken) {
			return &problem.Error{Code: problem.Conflict, Message: m, Fields: []problem.FieldError{{Field: field, Message: m}}, Err: err}
		}
		return err
	}
	if err := tx.AddChange(ctx, t.TIN, Change{At: now.UTC(), Actor: actor.Login, Action: "updated", Fields: fs, Note: note}); err != nil {
		return err
	}
	return tx.Audit(ctx, s.entry(actor, "taxpayer.update", t.TIN, auditFields(fs)))
}

// auditFields lists the changed fields for the audit log, without values of personal data.
func auditFields(fs []FieldChange) string {
	// Only the names of the fields: their values (a passport, a СНИЛС) never enter the log.
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		parts = append(parts, f.Field)
	}
	return "fields=" + strings.Join(parts, ",")
}

func nameNormOf(t *Taxpayer) string {
	switch {
	case t.Person != nil:
		return NormalizeName(t.Person.Surname, t.Person.GivenName, t.Person.Patronymic)
	case t.Organization != nil:
		return NormalizeName(t.Organization.FullName)
	case t.Foreign != nil:
		return NormalizeName(t.Foreign.NameRu)
	}
	return ""
}

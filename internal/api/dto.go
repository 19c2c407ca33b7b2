package api

import (
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
)

// JSON shapes of the register API. Dates are "YYYY-MM-DD", instants RFC 3339, names snake_case.

// addressJSON is a postal address: the fields of register.Address, each left out when empty.
type addressJSON struct {
	Country    string `json:"country,omitempty"` // ISO 3166 alpha-3 (ОКСМ), RUS when empty
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	City       string `json:"city,omitempty"`
	Street     string `json:"street,omitempty"`
	House      string `json:"house,omitempty"`
	Flat       string `json:"flat,omitempty"`
	Text       string `json:"text,omitempty"` // free form, for foreign addresses
}

func (a addressJSON) address() register.Address { return register.Address(a) }

// addressPtr is the address of an update, nil when the request gives none.
func (a *addressJSON) addressPtr() *register.Address {
	if a == nil {
		return nil
	}
	v := a.address()
	return &v
}

func addressOut(a register.Address) addressJSON { return addressJSON(a) }

type documentJSON struct {
	Type     string `json:"type"`
	Series   string `json:"series,omitempty"`
	Number   string `json:"number"`
	IssuedOn string `json:"issued_on,omitempty"`
	IssuedBy string `json:"issued_by,omitempty"`
}

type personRequest struct {
	// TIN is the person's own TIN where the register records TINs (TIN-6: the Kyrgyz ИНН); where
	// it assigns them it is left out.
	TIN              string        `json:"tin"`
	Surname          string        `json:"surname"`
	GivenName        string        `json:"given_name"`
	Patronymic       string        `json:"patronymic"`
	BirthDate        string        `json:"birth_date"`
	BirthPlace       string        `json:"birth_place"`
	Sex              string        `json:"sex"`
	Citizenship      string        `json:"citizenship"`
	IdentityDocument *documentJSON `json:"identity_document"`
	SNILS            string        `json:"snils"`
	Ground           string        `json:"ground"`
	TaxOffice        string        `json:"tax_office"`
	Address          addressJSON   `json:"address"`
}

var (
	msgDate = problem.Msg("api.date")
)

// parseDate reads an optional date; a bad one is recorded as a field error.
func parseDate(fe *problem.Fields, field, s string) time.Time {
	if strings.TrimSpace(s) == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		fe.Add(field, msgDate)
	}
	return t
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func datePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return date(*t)
}

func (p personRequest) input(fe *problem.Fields) register.PersonInput {
	in := register.PersonInput{
		TIN: p.TIN, Surname: p.Surname, GivenName: p.GivenName, Patronymic: p.Patronymic,
		BirthDate: parseDate(fe, "birth_date", p.BirthDate), BirthPlace: p.BirthPlace,
		Sex: register.Sex(p.Sex), Citizenship: p.Citizenship, SNILS: p.SNILS,
		Ground: register.PersonGround(p.Ground), TaxOffice: p.TaxOffice, Address: p.Address.address(),
	}
	if d := p.IdentityDocument; d != nil {
		in.Document = register.IdentityDocument{Type: d.Type, Series: d.Series, Number: d.Number, IssuedBy: d.IssuedBy,
			IssuedOn: parseDate(fe, "identity_document.issued_on", d.IssuedOn)}
	}
	return in
}

type personJSON struct {
	Surname     string         `json:"surname"`
	GivenName   string         `json:"given_name"`
	Patronymic  string         `json:"patronymic,omitempty"`
	BirthDate   string         `json:"birth_date"`
	BirthPlace  string         `json:"birth_place,omitempty"`
	Sex         string         `json:"sex"`
	Citizenship string         `json:"citizenship,omitempty"`
	Documents   []documentJSON `json:"identity_documents"`
	SNILS       string         `json:"snils,omitempty"`
	Ground      string         `json:"ground,omitempty"`
	Address     addressJSON    `json:"address"`
}

type organizationJSON struct {
	FullName     string         `json:"full_name"`
	ShortName    string         `json:"short_name,omitempty"`
	OGRN         string         `json:"ogrn,omitempty"`
	Ground       string         `json:"ground,omitempty"`
	Address      addressJSON    `json:"address"`
	RegisteredOn string         `json:"registered_on,omitempty"`
	Head         *signatoryJSON `json:"head,omitempty"`
	Accountant   *signatoryJSON `json:"accountant,omitempty"`
}

// signatoryJSON is an organization's head or accountant (KG-1): their personal TIN, and in an
// answer their name as the register holds it.
type signatoryJSON struct {
	TIN  string `json:"tin"`
	Name string `json:"name,omitempty"`
}

// signatory is the register's form of a signatory a request names (nil when none).
func (s *signatoryJSON) signatory() *register.Signatory {
	if s == nil {
		return nil
	}
	return &register.Signatory{TIN: s.TIN}
}

func signatoryOut(s *register.Signatory) *signatoryJSON {
	if s == nil {
		return nil
	}
	return &signatoryJSON{TIN: s.TIN, Name: s.Name}
}

type kioJSON struct {
	Code        string `json:"kio"`
	AssignedOn  string `json:"assigned_on"`
	ChangedOn   string `json:"changed_on,omitempty"`
	InvalidOn   string `json:"invalid_on,omitempty"`
	NameRu      string `json:"name_ru"`
	NameLatin   string `json:"name_latin"`
	ShortNameRu string `json:"short_name_ru,omitempty"`
	Address     string `json:"address,omitempty"`
	Country     string `json:"country,omitempty"`
	OKSM        string `json:"oksm"`
	RegNumber   string `json:"reg_number,omitempty"`
	TaxCode     string `json:"tax_code,omitempty"`
}

type kppJSON struct {
	KPP         string      `json:"kpp"`
	Ground      string      `json:"ground"`
	TaxOffice   string      `json:"tax_office"`
	Reason      string      `json:"reason"`
	Subdivision string      `json:"subdivision,omitempty"`
	Address     addressJSON `json:"address"`
	AssignedOn  string      `json:"assigned_on"`
	ClosedOn    string      `json:"closed_on,omitempty"`
}

type fieldChangeJSON struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

type changeJSON struct {
	Seq    int64             `json:"seq"`
	At     time.Time         `json:"at"`
	Actor  string            `json:"actor"`
	Action string            `json:"action"`
	Fields []fieldChangeJSON `json:"fields,omitempty"`
	Note   string            `json:"note,omitempty"`
}

type taxpayerJSON struct {
	TIN          string            `json:"tin"`
	Kind         string            `json:"kind"`
	Status       string            `json:"status"`
	Reason       string            `json:"reason,omitempty"`
	KeptTIN      string            `json:"kept_tin,omitempty"`
	EndedOn      string            `json:"ended_on,omitempty"`
	TaxOffice    string            `json:"tax_office"`
	RegisteredOn string            `json:"registered_on"`
	Person       *personJSON       `json:"person,omitempty"`
	Organization *organizationJSON `json:"organization,omitempty"`
	KIO          *kioJSON          `json:"kio,omitempty"`
	KPPs         []kppJSON         `json:"kpps,omitempty"`
	History      []changeJSON      `json:"history"`
}

func docJSON(d register.IdentityDocument) documentJSON {
	return documentJSON{Type: d.Type, Series: d.Series, Number: d.Number, IssuedOn: date(d.IssuedOn), IssuedBy: d.IssuedBy}
}

func kioOut(k *register.KIO) *kioJSON {
	if k == nil {
		return nil
	}
	return &kioJSON{Code: k.Code, AssignedOn: date(k.AssignedOn), ChangedOn: datePtr(k.ChangedOn), InvalidOn: datePtr(k.InvalidOn),
		NameRu: k.NameRu, NameLatin: k.NameLatin, ShortNameRu: k.ShortNameRu, Address: k.Address, Country: k.Country,
		OKSM: k.OKSM, RegNumber: k.RegNumber, TaxCode: k.TaxCode}
}

func taxpayerOut(t *register.Taxpayer) taxpayerJSON {
	out := taxpayerJSON{TIN: t.TIN, Kind: string(t.Kind), Status: string(t.Status), TaxOffice: t.TaxOffice,
		RegisteredOn: date(t.RegisteredOn), History: []changeJSON{}}
	if e := t.Ending; e != nil {
		out.Reason, out.KeptTIN, out.EndedOn = string(e.Reason), e.KeptTIN, date(e.On)
	}
	if p := t.Person; p != nil {
		pj := &personJSON{Surname: p.Surname, GivenName: p.GivenName, Patronymic: p.Patronymic, BirthDate: date(p.BirthDate),
			BirthPlace: p.BirthPlace, Sex: string(p.Sex), Citizenship: p.Citizenship, SNILS: p.SNILS, Ground: string(p.Ground),
			Address: addressOut(p.Address), Documents: []documentJSON{}}
		for _, d := range p.Documents {
			pj.Documents = append(pj.Documents, docJSON(d))
		}
		out.Person = pj
	}
	if o := t.Organization; o != nil {
		out.Organization = &organizationJSON{FullName: o.FullName, ShortName: o.ShortName, OGRN: o.OGRN, Ground: string(o.Ground),
			Address: addressOut(o.Address), RegisteredOn: date(o.RegisteredOn), Head: signatoryOut(o.Head), Accountant: signatoryOut(o.Accountant)}
	}
	out.KIO = kioOut(t.Foreign)
	for _, k := range t.KPPs {
		out.KPPs = append(out.KPPs, kppJSON{KPP: k.Code, Ground: string(k.Ground), TaxOffice: k.TaxOffice, Reason: k.Reason,
			Subdivision: k.Subdivision, Address: addressOut(k.Address), AssignedOn: date(k.AssignedOn), ClosedOn: datePtr(k.ClosedOn)})
	}
	for _, c := range t.History {
		cj := changeJSON{Seq: c.Seq, At: c.At.UTC(), Actor: c.Actor, Action: c.Action, Note: c.Note}
		for _, f := range c.Fields {
			cj.Fields = append(cj.Fields, fieldChangeJSON{Field: f.Field, Old: f.Old, New: f.New})
		}
		out.History = append(out.History, cj)
	}
	return out
}

type reviewJSON struct {
	ID         int64     `json:"review_id"`
	Status     string    `json:"status"`
	Candidates []string  `json:"candidates"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
	Surname    string    `json:"surname"`
	GivenName  string    `json:"given_name"`
	Patronymic string    `json:"patronymic,omitempty"`
	BirthDate  string    `json:"birth_date"`
	DecidedBy  string    `json:"decided_by,omitempty"`
	ResultTIN  string    `json:"result_tin,omitempty"`
	// RefusalReason is why the application was refused (status "refused").
	RefusalReason string `json:"refusal_reason,omitempty"`
}

func reviewOut(r *register.Review) reviewJSON {
	status := string(r.Status)
	if r.Status == register.ReviewPending {
		status = "pending_review"
	}
	c := r.Candidates
	if c == nil {
		c = []string{}
	}
	return reviewJSON{ID: r.ID, Status: status, Candidates: c, CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy,
		Surname: r.Input.Surname, GivenName: r.Input.GivenName, Patronymic: r.Input.Patronymic, BirthDate: date(r.Input.BirthDate),
		DecidedBy: r.DecidedBy, ResultTIN: r.ResultTIN, RefusalReason: r.Reason}
}

// registrationJSON is the answer to a registration: the taxpayer plus tin/created, or a review.
type registrationJSON struct {
	taxpayerJSON
	Created  bool     `json:"created"`
	Mismatch []string `json:"mismatch,omitempty"`
}

package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/kabinet/kabinet/internal/register"
)

// The register's data as this store keeps it in JSON: reg_taxpayers.data (the details of a person
// or an organization), reg_history.fields, reg_reviews.input and reg_kpps.address. The stored
// types below are the stored format, apart from the register's types: their member names are
// those the rows hold since the first version (and migration 00005 and the Go migration 00011
// read), whatever the register's types become. Persons, organizations, review inputs and changes
// use the Go field names of their day; documents and addresses lower-case names with underscores.
// A change of these names needs a migration of the stored rows.

// storedAddress is an address in the stored data.
type storedAddress struct {
	Country    string `json:"country,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	City       string `json:"city,omitempty"`
	Street     string `json:"street,omitempty"`
	House      string `json:"house,omitempty"`
	Flat       string `json:"flat,omitempty"`
	Text       string `json:"text,omitempty"`
}

func storeAddress(a register.Address) storedAddress {
	return storedAddress{Country: a.Country, Region: a.Region, PostalCode: a.PostalCode, City: a.City, Street: a.Street, House: a.House,
		Flat: a.Flat, Text: a.Text}
}

func (a storedAddress) address() register.Address {
	return register.Address{Country: a.Country, Region: a.Region, PostalCode: a.PostalCode, City: a.City, Street: a.Street, House: a.House,
		Flat: a.Flat, Text: a.Text}
}

// storedDocument is an identity document in the stored data (a person's Documents, a review's
// Document).
type storedDocument struct {
	Type     string    `json:"type"`
	Series   string    `json:"series,omitempty"`
	Number   string    `json:"number"`
	IssuedOn time.Time `json:"issued_on,omitzero"`
	IssuedBy string    `json:"issued_by,omitempty"`
}

func storeDocument(d register.IdentityDocument) storedDocument {
	return storedDocument{Type: d.Type, Series: d.Series, Number: d.Number, IssuedOn: d.IssuedOn, IssuedBy: d.IssuedBy}
}

func (d storedDocument) document() register.IdentityDocument {
	return register.IdentityDocument{Type: d.Type, Series: d.Series, Number: d.Number, IssuedOn: d.IssuedOn, IssuedBy: d.IssuedBy}
}

// storedPerson is the data of a person (reg_taxpayers.data), with all its documents, the current
// one first (reg_documents keeps only their keys).
type storedPerson struct {
	Surname     string           `json:"Surname"`
	GivenName   string           `json:"GivenName"`
	Patronymic  string           `json:"Patronymic"`
	BirthDate   time.Time        `json:"BirthDate"`
	BirthPlace  string           `json:"BirthPlace"`
	Sex         string           `json:"Sex"`
	Citizenship string           `json:"Citizenship"`
	Documents   []storedDocument `json:"Documents"`
	SNILS       string           `json:"SNILS"`
	Ground      string           `json:"Ground"`
	Address     storedAddress    `json:"Address"`
}

func storePerson(p *register.Person) *storedPerson {
	s := &storedPerson{Surname: p.Surname, GivenName: p.GivenName, Patronymic: p.Patronymic, BirthDate: p.BirthDate, BirthPlace: p.BirthPlace,
		Sex: string(p.Sex), Citizenship: p.Citizenship, SNILS: p.SNILS, Ground: string(p.Ground), Address: storeAddress(p.Address)}
	if p.Documents != nil {
		s.Documents = make([]storedDocument, len(p.Documents))
		for i, d := range p.Documents {
			s.Documents[i] = storeDocument(d)
		}
	}
	return s
}

func (s *storedPerson) person() *register.Person {
	p := &register.Person{Surname: s.Surname, GivenName: s.GivenName, Patronymic: s.Patronymic, BirthDate: s.BirthDate, BirthPlace: s.BirthPlace,
		Sex: register.Sex(s.Sex), Citizenship: s.Citizenship, SNILS: s.SNILS, Ground: register.PersonGround(s.Ground), Address: s.Address.address()}
	if s.Documents != nil {
		p.Documents = make([]register.IdentityDocument, len(s.Documents))
		for i, d := range s.Documents {
			p.Documents[i] = d.document()
		}
	}
	return p
}

// storedOrganization is the data of an organization (reg_taxpayers.data); its head and
// accountant (KG-1) only where the jurisdiction keeps them.
type storedOrganization struct {
	FullName     string           `json:"FullName"`
	ShortName    string           `json:"ShortName"`
	OGRN         string           `json:"OGRN"`
	Ground       string           `json:"Ground"`
	Address      storedAddress    `json:"Address"`
	RegisteredOn time.Time        `json:"RegisteredOn"`
	Head         *storedSignatory `json:"Head,omitempty"`
	Accountant   *storedSignatory `json:"Accountant,omitempty"`
}

// storedSignatory is an organization's head or accountant in the stored data (KG-1).
type storedSignatory struct {
	TIN  string `json:"tin"`
	Name string `json:"name,omitempty"`
}

func storeSignatory(s *register.Signatory) *storedSignatory {
	if s == nil {
		return nil
	}
	return &storedSignatory{TIN: s.TIN, Name: s.Name}
}

func (s *storedSignatory) signatory() *register.Signatory {
	if s == nil {
		return nil
	}
	return &register.Signatory{TIN: s.TIN, Name: s.Name}
}

func storeOrganization(o *register.Organization) *storedOrganization {
	return &storedOrganization{FullName: o.FullName, ShortName: o.ShortName, OGRN: o.OGRN, Ground: string(o.Ground), Address: storeAddress(o.Address),
		RegisteredOn: o.RegisteredOn, Head: storeSignatory(o.Head), Accountant: storeSignatory(o.Accountant)}
}

func (s *storedOrganization) organization() *register.Organization {
	return &register.Organization{FullName: s.FullName, ShortName: s.ShortName, OGRN: s.OGRN, Ground: register.OrganizationGround(s.Ground),
		Address: s.Address.address(), RegisteredOn: s.RegisteredOn, Head: s.Head.signatory(), Accountant: s.Accountant.signatory()}
}

// storedPersonInput is the request a review holds (reg_reviews.input).
type storedPersonInput struct {
	TIN          string         `json:"TIN,omitempty"`
	Surname      string         `json:"Surname"`
	GivenName    string         `json:"GivenName"`
	Patronymic   string         `json:"Patronymic"`
	BirthDate    time.Time      `json:"BirthDate"`
	BirthPlace   string         `json:"BirthPlace"`
	Sex          string         `json:"Sex"`
	Citizenship  string         `json:"Citizenship"`
	Document     storedDocument `json:"Document"`
	SNILS        string         `json:"SNILS"`
	Ground       string         `json:"Ground"`
	TaxOffice    string         `json:"TaxOffice"`
	Address      storedAddress  `json:"Address"`
	RegisteredOn time.Time      `json:"RegisteredOn"`
}

func storePersonInput(in register.PersonInput) storedPersonInput {
	return storedPersonInput{TIN: in.TIN, Surname: in.Surname, GivenName: in.GivenName, Patronymic: in.Patronymic, BirthDate: in.BirthDate,
		BirthPlace: in.BirthPlace, Sex: string(in.Sex), Citizenship: in.Citizenship, Document: storeDocument(in.Document), SNILS: in.SNILS,
		Ground: string(in.Ground), TaxOffice: in.TaxOffice, Address: storeAddress(in.Address), RegisteredOn: in.RegisteredOn}
}

func (s storedPersonInput) input() register.PersonInput {
	return register.PersonInput{TIN: s.TIN, Surname: s.Surname, GivenName: s.GivenName, Patronymic: s.Patronymic, BirthDate: s.BirthDate,
		BirthPlace: s.BirthPlace, Sex: register.Sex(s.Sex), Citizenship: s.Citizenship, Document: s.Document.document(), SNILS: s.SNILS,
		Ground: register.PersonGround(s.Ground), TaxOffice: s.TaxOffice, Address: s.Address.address(), RegisteredOn: s.RegisteredOn}
}

// storedFieldChange is one field's change in a change of the history (reg_history.fields).
type storedFieldChange struct {
	Field string `json:"Field"`
	Old   string `json:"Old"`
	New   string `json:"New"`
}

func storeFieldChanges(fs []register.FieldChange) []storedFieldChange {
	if fs == nil {
		return nil
	}
	out := make([]storedFieldChange, len(fs))
	for i, f := range fs {
		out[i] = storedFieldChange(f)
	}
	return out
}

func fieldChanges(fs []storedFieldChange) []register.FieldChange {
	if fs == nil {
		return nil
	}
	out := make([]register.FieldChange, len(fs))
	for i, f := range fs {
		out[i] = register.FieldChange(f)
	}
	return out
}

// taxpayerData is what goes into the data column: the record's details (a person's with its
// documents; reg_documents holds only their keys).
func taxpayerData(tp *register.Taxpayer) (string, error) {
	var v any = struct{}{}
	switch {
	case tp.Person != nil:
		v = storePerson(tp.Person)
	case tp.Organization != nil:
		v = storeOrganization(tp.Organization)
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// decodeData decodes a record's data column (written by taxpayerData with encoding/json, or by a
// migration in the engine) with the faster decoder of JSON v2: a look-up spends more time here
// than anywhere else outside the engine. Unknown members are ignored, as encoding/json does.
func decodeData(data string, v any) error {
	return jsonv2.Unmarshal([]byte(data), v)
}

func decodeKPPs(s string) ([]register.KPP, error) {
	rows, err := jsonRows(s, 8)
	if err != nil {
		return nil, err
	}
	var out []register.KPP
	for _, r := range rows {
		var k register.KPP
		var addr string
		var assigned, closed *string
		if err := cells(r, &k.Code, &k.Ground, &k.TaxOffice, &k.Reason, &k.Subdivision, &addr, &assigned, &closed); err != nil {
			return nil, err
		}
		var a storedAddress
		_ = json.Unmarshal([]byte(addr), &a)
		k.Address = a.address()
		k.AssignedOn, k.ClosedOn = parseDate(optDate(assigned)), parseDatePtr(optDate(closed))
		out = append(out, k)
	}
	return out, nil
}

// decodeHistory returns the changes, the registration first (it is the taxpayer row itself).
func decodeHistory(reg register.Change, s string) ([]register.Change, error) {
	rows, err := jsonRows(s, 6)
	if err != nil {
		return nil, err
	}
	out := make([]register.Change, 0, 1+len(rows))
	out = append(out, reg)
	for _, r := range rows {
		var c register.Change
		var at, fields string
		if err := cells(r, &c.Seq, &at, &c.Actor, &c.Action, &fields, &c.Note); err != nil {
			return nil, err
		}
		if c.At, err = jsonTime(at); err != nil {
			return nil, err
		}
		if fields != "" && fields != "[]" && fields != "null" {
			var fs []storedFieldChange
			if err := json.Unmarshal([]byte(fields), &fs); err != nil {
				return nil, err
			}
			c.Fields = fieldChanges(fs)
		}
		out = append(out, c)
	}
	return out, nil
}

// jsonRows decodes an engine-built JSON array of rows, each an array of width values.
func jsonRows(s string, width int) ([][]json.RawMessage, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var rows [][]json.RawMessage
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		if len(r) != width {
			return nil, fmt.Errorf("a row of %d values, want %d", len(r), width)
		}
	}
	return rows, nil
}

// cells decodes the values of one row of jsonRows into dest.
func cells(row []json.RawMessage, dest ...any) error {
	for i, d := range dest {
		if err := json.Unmarshal(row[i], d); err != nil {
			return err
		}
	}
	return nil
}

func optDate(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

// jsonTime parses a timestamp as the engines write it into JSON: PostgreSQL in RFC 3339, SQLite
// as the driver stored it (Go's time.Time.String).
func jsonTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q", s)
}

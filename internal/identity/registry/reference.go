package registry

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/names"
	"github.com/kabinet/kabinet/tin"
)

// The reference registry (IDP-3) stands in for the pension fund and the migration service in
// the demo and the tests. It knows the synthetic persons of data/persons.csv (made by
// data/gen_persons.go: persons picked to show each outcome and delay, and every demo taxpayer of
// package demo that has a СНИЛС) and of any file given at run time in the same format, and
// answers as the real registries would:
//
//   - pension fund: a СНИЛС it does not know → ReasonNotFound; a СНИЛС known under another
//     name or birth date → ReasonSNILSMismatch; else passed;
//   - migration service: a passport known for this person (name and birth date) and marked
//     invalid → ReasonPassportInvalid; a passport it does not know for this person →
//     ReasonPassportUnknown; else passed.
//
// A registry takes time to answer: "minutes to 5 days". Each person may have their own delay,
// the others take the registry's default one; until the delay has passed since a question was
// first asked, the answer is pending with the time to ask again. The delay is deterministic —
// a property of the person (or the default), never random — so the same question gets the same
// answer at the same time after its first asking, in every process and test. The time of the
// first asking is kept in memory only (the registry stores nothing): a restart forgets it, and a
// question pending across a restart waits its delay again from its first asking after the
// restart — at most one delay more, which the demo can live with; the verification job simply
// asks again when told. Questions are remembered by a hash of the registry and the data asked,
// not by the data.

//go:embed data/persons.csv
var embedded embed.FS

// Person is a person the reference registry knows.
type Person struct {
	Surname, GivenName, Patronymic string
	BirthDate                      time.Time
	SNILS                          string // 11 digits, with valid check digits
	PassportSeries, PassportNumber string
	PassportValid                  bool // false: the passport was lost, replaced or expired
	// Delay is how long the registries take to answer about this person; negative: the
	// registry's default delay.
	Delay time.Duration
}

// ReferenceOptions configure the reference registry.
type ReferenceOptions struct {
	// Delay is how long the registry takes to answer about persons without a delay of their own,
	// and about persons it does not know; zero: at once.
	Delay time.Duration
	// Now is the registry's clock; time.Now when nil.
	Now func() time.Time
	// Files are persons files read after the embedded one, in the same format; a person in
	// them with the СНИЛС or passport of one read before replaces that one.
	Files []string
}

// Reference is the embedded reference registry; it implements identity.Registry.
type Reference struct {
	delay time.Duration
	now   func() time.Time

	mu         sync.Mutex
	bySNILS    map[string]*Person
	byPassport map[string]*Person
	byBirth    map[string][]*Person // surname and birth date → persons, to find a person's delay
	longest    time.Duration
	asked      map[[32]byte]time.Time // question → when it was first asked
}

var _ identity.Registry = (*Reference)(nil)

// NewReference returns the reference registry with the embedded persons and those of o.Files.
func NewReference(o ReferenceOptions) (*Reference, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &Reference{delay: max(o.Delay, 0), now: o.Now, bySNILS: map[string]*Person{}, byPassport: map[string]*Person{},
		byBirth: map[string][]*Person{}, asked: map[[32]byte]time.Time{}, longest: max(o.Delay, 0)}
	f, err := embedded.Open("data/persons.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := r.Load(f, "data/persons.csv"); err != nil {
		return nil, err
	}
	for _, name := range o.Files {
		if err := r.LoadFile(name); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// LoadFile adds the persons of a persons file.
func (r *Reference) LoadFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("reference registry: %w", err)
	}
	defer f.Close()
	return r.Load(f, name)
}

// The columns of a persons file, named in its header line; the others are optional.
var required = []string{"surname", "given_name", "birth_date", "snils", "passport_series", "passport_number"}

// Load adds the persons of a persons file read from in; name is the file's name in errors.
// The file is CSV (lines starting with # are comments) with a header naming its columns:
// surname, given_name, patronymic, birth_date (YYYY-MM-DD), snils (11 digits or
// NNN-NNN-NNN NN), passport_series, passport_number, passport_status (valid or invalid; valid
// when empty) and delay (a Go duration such as 90s, 15m, 120h; the default when empty). An
// empty file adds no one. A file with a wrong line adds nothing; its errors name the line and
// the column, never the data.
func (r *Reference) Load(in io.Reader, name string) error {
	cr := csv.NewReader(in)
	cr.Comment, cr.FieldsPerRecord, cr.TrimLeadingSpace = '#', -1, true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil // an empty file: no one to add
	}
	if err != nil {
		return fmt.Errorf("reference registry: %s: no header line", name)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	for _, c := range required {
		if _, ok := col[c]; !ok {
			return fmt.Errorf("reference registry: %s: the header lacks the column %s", name, c)
		}
	}
	var persons []Person
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("reference registry: %s: line %d: not CSV", name, pe.Line)
			}
			return fmt.Errorf("reference registry: %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		p, bad := parsePerson(get)
		if bad != "" {
			return fmt.Errorf("reference registry: %s: line %d: wrong %s", name, line, bad)
		}
		for _, k := range []string{"snils:" + p.SNILS, "passport:" + documentNumber(p.PassportSeries, p.PassportNumber)} {
			if l, dup := seen[k]; dup {
				return fmt.Errorf("reference registry: %s: line %d: the %s of line %d again", name, line, strings.SplitN(k, ":", 2)[0], l)
			}
			seen[k] = line
		}
		persons = append(persons, p)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range persons {
		r.add(p)
	}
	return nil
}

func parsePerson(get func(string) string) (Person, string) {
	p := Person{Surname: get("surname"), GivenName: get("given_name"), Patronymic: get("patronymic"),
		PassportSeries: get("passport_series"), PassportNumber: get("passport_number"), PassportValid: true, Delay: -1}
	if p.Surname == "" {
		return p, "surname"
	}
	if p.GivenName == "" {
		return p, "given_name"
	}
	b, err := time.Parse(time.DateOnly, get("birth_date"))
	if err != nil {
		return p, "birth_date"
	}
	p.BirthDate = b
	sn, err := tin.ParseSNILS(get("snils"))
	if err != nil {
		return p, "snils"
	}
	p.SNILS = sn.Digits
	if documentNumber("", p.PassportNumber) == "" {
		return p, "passport_number"
	}
	switch strings.ToLower(get("passport_status")) {
	case "", "valid":
	case "invalid":
		p.PassportValid = false
	default:
		return p, "passport_status"
	}
	if d := get("delay"); d != "" {
		if p.Delay, err = time.ParseDuration(d); err != nil || p.Delay < 0 {
			return p, "delay"
		}
	}
	return p, ""
}

// Add adds a person (tests and demos add their own); one with the СНИЛС or passport of a known
// person replaces that one.
func (r *Reference) Add(p Person) error {
	sn, err := tin.ParseSNILS(p.SNILS)
	if err != nil {
		return fmt.Errorf("reference registry: wrong snils: %w", err)
	}
	if p.Surname == "" || p.GivenName == "" || p.BirthDate.IsZero() || documentNumber("", p.PassportNumber) == "" {
		return errors.New("reference registry: a person needs a surname, a given name, a birth date and a passport")
	}
	p.SNILS = sn.Digits
	r.mu.Lock()
	defer r.mu.Unlock()
	r.add(p)
	return nil
}

func birthKey(surname string, birth time.Time) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(surname)), "ё", "е") + "|" + birth.Format(time.DateOnly)
}

// add indexes p, replacing the persons it shares a СНИЛС or a passport with; r.mu is held.
func (r *Reference) add(p Person) {
	doc := documentNumber(p.PassportSeries, p.PassportNumber)
	for _, old := range []*Person{r.bySNILS[p.SNILS], r.byPassport[doc]} {
		if old == nil {
			continue
		}
		delete(r.bySNILS, old.SNILS)
		delete(r.byPassport, documentNumber(old.PassportSeries, old.PassportNumber))
		k := birthKey(old.Surname, old.BirthDate)
		list := r.byBirth[k][:0:0]
		for _, o := range r.byBirth[k] {
			if o != old {
				list = append(list, o)
			}
		}
		r.byBirth[k] = list
	}
	pp := &p
	r.bySNILS[p.SNILS] = pp
	r.byPassport[doc] = pp
	k := birthKey(p.Surname, p.BirthDate)
	r.byBirth[k] = append(r.byBirth[k], pp)
	r.longest = max(r.longest, p.Delay)
}

// Len returns how many persons the registry knows.
func (r *Reference) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bySNILS)
}

// samePerson reports whether q names p: the same surname, given name, patronymic and birth date.
func samePerson(p *Person, q identity.PersonQuery) bool {
	return names.Same(p.Surname, q.Surname) && names.Same(p.GivenName, q.GivenName) && names.Same(p.Patronymic, q.Patronymic) &&
		p.BirthDate.Format(time.DateOnly) == q.BirthDate.Format(time.DateOnly)
}

// questionKey identifies a question by a hash of what was asked.
func questionKey(n identity.RegistryName, q identity.PersonQuery) [32]byte {
	return sha256.Sum256([]byte(strings.Join([]string{string(n), q.Surname, q.GivenName, q.Patronymic, q.BirthDate.Format(time.DateOnly),
		q.SNILS, documentNumber(q.Passport.Series, q.Passport.Number)}, "\x00")))
}

// Check answers as registry n would about q (IDP-3): pending until the person's delay has passed
// since the question was first asked, then passed or refused with the reason.
func (r *Reference) Check(_ context.Context, n identity.RegistryName, q identity.PersonQuery) (identity.Answer, error) {
	if n != identity.PensionFund && n != identity.Migration {
		return identity.Answer{}, fmt.Errorf("reference registry: no registry %s", n)
	}
	now := r.now().UTC()
	r.mu.Lock()
	defer r.mu.Unlock()
	sn := q.SNILS
	if v, err := tin.ParseSNILS(sn); err == nil {
		sn = v.Digits
	}
	var p *Person // the person asked about, when the registry knows them
	switch n {
	case identity.PensionFund:
		p = r.bySNILS[sn]
	case identity.Migration:
		p = r.byPassport[documentNumber(q.Passport.Series, q.Passport.Number)]
	}
	if p == nil || !samePerson(p, q) {
		// An unknown passport or a mismatch takes the time asked about the person themselves.
		for _, o := range r.byBirth[birthKey(q.Surname, q.BirthDate)] {
			if samePerson(o, q) {
				p = o
				break
			}
		}
	}
	delay := r.delay
	if p != nil && p.Delay >= 0 {
		delay = p.Delay
	}
	key := questionKey(n, q)
	first, ok := r.asked[key]
	if !ok {
		first = now
		r.forget(now)
		r.asked[key] = first
	}
	if ready := first.Add(delay); now.Before(ready) {
		return identity.Answer{RetryAt: ready}, nil
	}
	return r.decide(n, q, sn), nil
}

// decide is registry n's decision on q; r.mu is held.
func (r *Reference) decide(n identity.RegistryName, q identity.PersonQuery, snils string) identity.Answer {
	refuse := func(reason string) identity.Answer { return identity.Answer{Ready: true, Reason: reason} }
	switch n {
	case identity.PensionFund:
		p := r.bySNILS[snils]
		switch {
		case p == nil:
			return refuse(identity.ReasonNotFound)
		case !samePerson(p, q):
			return refuse(identity.ReasonSNILSMismatch)
		}
	default:
		p := r.byPassport[documentNumber(q.Passport.Series, q.Passport.Number)]
		switch {
		case p == nil || !samePerson(p, q):
			return refuse(identity.ReasonPassportUnknown)
		case !p.PassportValid:
			return refuse(identity.ReasonPassportInvalid)
		}
	}
	return identity.Answer{Ready: true, OK: true}
}

// forget drops the questions answered long ago, so that the memory of a long-running demo stays
// small; r.mu is held.
func (r *Reference) forget(now time.Time) {
	if len(r.asked) < 4096 {
		return
	}
	horizon := now.Add(-r.longest - 30*24*time.Hour)
	for k, t := range r.asked {
		if t.Before(horizon) {
			delete(r.asked, k)
		}
	}
}

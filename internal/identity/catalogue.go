package identity

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
)

// IDP-2 and IDP-5: the catalogue of services and the level each needs, and the service
// centres where an account is registered, recovered or confirmed in person, searchable by city
// and by service. Both are directories embedded as data (data/services.json,
// data/centres.json), checked when they are loaded, and extendable at start from files of the
// same form: a deployment gives the provider EmbeddedCatalogue().Extend(os.DirFS(dir))
// (Options.Catalogue; `kabinet serve --catalogue DIR`).

//go:embed data/services.json data/centres.json
var catalogueFiles embed.FS

// Service is a service of the catalogue (IDP-2).
type Service struct {
	ID       string            `json:"id"`
	Name     map[string]string `json:"name"`   // by language; the default language is required
	Agency   map[string]string `json:"agency"` // the authority that provides it, by language
	Level    Level             `json:"level"`  // the lowest level of account that may use it
	Audience string            `json:"audience"`
	// NotBy are the ways of confirmation with which a confirmed account may not use the service:
	// the taxpayer's personal account refuses an account confirmed by a letter's code (LK-6).
	NotBy []Method `json:"not_by,omitempty"`
}

// Barred reports whether an account confirmed by m may not use the service (NotBy).
func (s Service) Barred(m Method) bool { return m != "" && slices.Contains(s.NotBy, m) }

// NameIn returns the service's name in lang, or in the default language when it has none.
func (s Service) NameIn(lang string) string { return textIn(s.Name, lang) }

// AgencyIn returns the service's agency in lang, or in the default language when it has none.
func (s Service) AgencyIn(lang string) string { return textIn(s.Agency, lang) }

func textIn(m map[string]string, lang string) string {
	if t := m[lang]; t != "" {
		return t
	}
	return m[i18n.Default]
}

// Audiences are whom a service is for (labels enum.audience.<code>).
var Audiences = []string{"citizens", "business", "all"}

// Centre is a service centre (МФЦ, a post office, a bank office) that serves accounts in person
// (IDP-4a, IDP-5).
type Centre struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"` // one of CentreKinds
	Name     string    `json:"name"`
	City     string    `json:"city"`
	Address  string    `json:"address"`  // the postal address in the city: index, street, building
	Services []string  `json:"services"` // what is done there: CentreServices
	Hours    []Opening `json:"hours"`    // opening hours, a line for a day or a range of days
}

// CentreKinds are the kinds of service centre (labels enum.centre_kind.<code>).
var CentreKinds = []string{"mfc", "post", "bank"}

// DoConfirm, DoRegister and DoRecover are what a service centre does for an account (labels
// enum.centre_service.<code>).
const (
	DoConfirm  = "confirm"  // an operator confirms the account (IDP-4a, BO-4)
	DoRegister = "register" // helps to register an account
	DoRecover  = "recover"  // restores access to an account
)

// CentreServices lists what a service centre may do for an account.
var CentreServices = []string{DoConfirm, DoRegister, DoRecover}

// Does reports whether the centre does service (DoConfirm …).
func (c Centre) Does(service string) bool { return slices.Contains(c.Services, service) }

// Weekdays are the days of opening hours, Monday first (labels enum.weekday.<code>).
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// Opening is a centre's opening hours on a day or a range of days. Its text form, in the data
// files and in JSON, is "mon-fri 08:00-20:00", "sat 10:00-16:00" or "sun closed".
type Opening struct {
	From, To      string // days: Weekdays; the same for one day
	Opens, Closes string // "08:00", "20:00"; both empty when closed
}

// Closed reports whether the centre is closed on those days.
func (o Opening) Closed() bool { return o.Opens == "" }

// Daily reports whether the hours are those of every day of the week.
func (o Opening) Daily() bool { return o.From == "mon" && o.To == "sun" }

var clock = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$`)

// UnmarshalText reads the text form ("mon-fri 08:00-20:00", "sun closed").
func (o *Opening) UnmarshalText(b []byte) error {
	days, hours, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	if !ok {
		return fmt.Errorf("opening hours %q: want \"mon-fri 08:00-20:00\" or \"sun closed\"", b)
	}
	from, to, rng := strings.Cut(days, "-")
	if !rng {
		to = from
	}
	i, j := slices.Index(Weekdays, from), slices.Index(Weekdays, to)
	if i < 0 || j < 0 || j < i {
		return fmt.Errorf("opening hours %q: days must be mon … sun, the first not after the last", b)
	}
	v := Opening{From: from, To: to}
	if hours != "closed" {
		v.Opens, v.Closes, _ = strings.Cut(hours, "-")
		if !clock.MatchString(v.Opens) || !clock.MatchString(v.Closes) || v.Opens >= v.Closes {
			return fmt.Errorf("opening hours %q: hours must be like 08:00-20:00, opening before closing", b)
		}
	}
	*o = v
	return nil
}

// MarshalText writes the text form.
func (o Opening) MarshalText() ([]byte, error) {
	days := o.From
	if o.To != o.From {
		days += "-" + o.To
	}
	if o.Closed() {
		return []byte(days + " closed"), nil
	}
	return []byte(days + " " + o.Opens + "-" + o.Closes), nil
}

// Directory is the catalogue of services and the directory of service centres, checked and
// indexed. It is not changed once made: Extend returns a new one.
type Directory struct {
	services []Service
	centres  []Centre
	service  map[string]int // id → index
	centre   map[string]int
}

var (
	msgCentresService = problem.Msg("idp.centres.service")
	msgCentresCity    = problem.Msg("idp.centres.city")
)

// MaxCityQuery bounds the city typed into the finder of centres, in characters.
const MaxCityQuery = 100

// NewDirectory checks services and centres and returns them as a directory: every entry has
// an id (lower-case letters, digits and hyphens, unique in its list) and every field, a known
// level, audience, kind and service, and opening hours with no day twice.
func NewDirectory(services []Service, centres []Centre) (*Directory, error) {
	d := &Directory{services: slices.Clone(services), centres: slices.Clone(centres), service: map[string]int{}, centre: map[string]int{}}
	var errs []error
	for i, s := range d.services {
		if err := checkService(s); err != nil {
			errs = append(errs, fmt.Errorf("service %d (%s): %w", i+1, s.ID, err))
		} else if _, dup := d.service[s.ID]; dup {
			errs = append(errs, fmt.Errorf("service %d: id %s used twice", i+1, s.ID))
		}
		d.service[s.ID] = i
	}
	for i, c := range d.centres {
		if err := checkCentre(c); err != nil {
			errs = append(errs, fmt.Errorf("centre %d (%s): %w", i+1, c.ID, err))
		} else if _, dup := d.centre[c.ID]; dup {
			errs = append(errs, fmt.Errorf("centre %d: id %s used twice", i+1, c.ID))
		}
		d.centre[c.ID] = i
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return d, nil
}

var entryID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func checkText(what, v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("no %s", what)
	}
	if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' }) || len([]rune(v)) > 300 {
		return fmt.Errorf("%s: control characters or longer than 300 characters", what)
	}
	return nil
}

func checkService(s Service) error {
	if !entryID.MatchString(s.ID) || len(s.ID) > 64 {
		return fmt.Errorf("id %q: lower-case letters, digits and hyphens", s.ID)
	}
	for what, m := range map[string]map[string]string{"name": s.Name, "agency": s.Agency} {
		if err := checkText(what+" in "+i18n.Default, m[i18n.Default]); err != nil {
			return err
		}
		for lang, t := range m {
			if err := checkText(what+" in "+lang, t); err != nil {
				return err
			}
		}
	}
	if s.Level.Rank() == 0 { // IDP-2: every service needs one of the three levels
		return fmt.Errorf("unknown level %q: simplified, standard or confirmed", s.Level)
	}
	if !slices.Contains(Audiences, s.Audience) {
		return fmt.Errorf("unknown audience %q: %s", s.Audience, strings.Join(Audiences, ", "))
	}
	for _, m := range s.NotBy {
		if !m.Valid() {
			return fmt.Errorf("not_by: unknown way of confirmation %q: service_center, mail or esign", m)
		}
	}
	return nil
}

func checkCentre(c Centre) error {
	if !entryID.MatchString(c.ID) || len(c.ID) > 64 {
		return fmt.Errorf("id %q: lower-case letters, digits and hyphens", c.ID)
	}
	if !slices.Contains(CentreKinds, c.Kind) {
		return fmt.Errorf("unknown kind %q: %s", c.Kind, strings.Join(CentreKinds, ", "))
	}
	for _, f := range []struct{ what, v string }{{"name", c.Name}, {"city", c.City}, {"address", c.Address}} {
		if err := checkText(f.what, f.v); err != nil {
			return err
		}
	}
	if len(c.Services) == 0 {
		return errors.New("no services")
	}
	for i, s := range c.Services {
		if !slices.Contains(CentreServices, s) {
			return fmt.Errorf("unknown service %q: %s", s, strings.Join(CentreServices, ", "))
		}
		if slices.Contains(c.Services[:i], s) {
			return fmt.Errorf("service %s listed twice", s)
		}
	}
	if len(c.Hours) == 0 {
		return errors.New("no opening hours")
	}
	var seen [7]bool
	for _, o := range c.Hours {
		// The text form is the one place the hours are checked, made by hand or read.
		b, _ := o.MarshalText()
		if err := new(Opening).UnmarshalText(b); err != nil {
			return err
		}
		i, j := slices.Index(Weekdays, o.From), slices.Index(Weekdays, o.To)
		for k := i; k <= j; k++ {
			if seen[k] {
				return fmt.Errorf("opening hours: %s given twice", Weekdays[k])
			}
			seen[k] = true
		}
	}
	return nil
}

// decodeStrict decodes a JSON array of entries, refusing unknown fields and trailing data.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the list")
	}
	return nil
}

// ReadServices reads a list of services in the form of data/services.json and checks it.
func ReadServices(r io.Reader) ([]Service, error) {
	var s []Service
	if err := decodeStrict(r, &s); err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	if _, err := NewDirectory(s, nil); err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	return s, nil
}

// ReadCentres reads a list of service centres in the form of data/centres.json and checks it.
func ReadCentres(r io.Reader) ([]Centre, error) {
	var c []Centre
	if err := decodeStrict(r, &c); err != nil {
		return nil, fmt.Errorf("centres: %w", err)
	}
	if _, err := NewDirectory(nil, c); err != nil {
		return nil, fmt.Errorf("centres: %w", err)
	}
	return c, nil
}

// LoadDirectory reads services.json and centres.json from fsys (either may be absent) and
// returns them as a directory.
func LoadDirectory(fsys fs.FS) (*Directory, error) {
	var services []Service
	var centres []Centre
	if b, err := fs.ReadFile(fsys, "services.json"); err == nil {
		if services, err = ReadServices(bytes.NewReader(b)); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if b, err := fs.ReadFile(fsys, "centres.json"); err == nil {
		if centres, err = ReadCentres(bytes.NewReader(b)); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return NewDirectory(services, centres)
}

// Extend returns the directory with the services and centres of services.json and
// centres.json in fsys (a directory of a deployment's own entries): an entry with a new id is
// added, one with an id the directory has replaces it (an address corrected, hours changed).
func (d *Directory) Extend(fsys fs.FS) (*Directory, error) {
	more, err := LoadDirectory(fsys)
	if err != nil {
		return nil, err
	}
	services, centres := slices.Clone(d.services), slices.Clone(d.centres)
	for _, s := range more.services {
		if i, ok := d.service[s.ID]; ok {
			services[i] = s
		} else {
			services = append(services, s)
		}
	}
	for _, c := range more.centres {
		if i, ok := d.centre[c.ID]; ok {
			centres[i] = c
		} else {
			centres = append(centres, c)
		}
	}
	return NewDirectory(services, centres)
}

var (
	embedded = func() *Directory {
		sub, err := fs.Sub(catalogueFiles, "data")
		if err != nil {
			panic(err)
		}
		d, err := LoadDirectory(sub)
		if err != nil {
			panic("identity: the embedded catalogue: " + err.Error()) // checked by the tests
		}
		return d
	}()
)

// EmbeddedCatalogue returns the directories kabinet is built with (data/services.json and
// data/centres.json). A deployment extends them (EmbeddedCatalogue().Extend(os.DirFS(dir))) and
// gives the result to the provider (Options.Catalogue).
func EmbeddedCatalogue() *Directory { return embedded }

// Catalogue returns the provider's directories of services and centres; the sites and the
// operator's checklist read them.
func (s *Provider) Catalogue() *Directory { return s.o.Catalogue }

// Services returns the catalogue of services in its order.
func (d *Directory) Services() []Service { return slices.Clone(d.services) }

// Service returns the service with the id.
func (d *Directory) Service(id string) (Service, bool) {
	if i, ok := d.service[id]; ok {
		return d.services[i], true
	}
	return Service{}, false
}

// Centres returns every service centre, ordered by city.
func (d *Directory) Centres() []Centre {
	out := slices.Clone(d.centres)
	sort.SliceStable(out, func(i, j int) bool { return out[i].City < out[j].City })
	return out
}

// Centre returns the service centre with the id.
func (d *Directory) Centre(id string) (Centre, bool) {
	if i, ok := d.centre[id]; ok {
		return d.centres[i], true
	}
	return Centre{}, false
}

// ServicesFor splits the catalogue for an account at level (IDP-2): the services it may use
// now, and the others, those of the nearest level first. A visitor without an account (level
// "") may use none.
func (d *Directory) ServicesFor(level Level) (now, later []Service) {
	for _, s := range d.services {
		if level.AtLeast(s.Level) {
			now = append(now, s)
		} else {
			later = append(later, s)
		}
	}
	sort.SliceStable(later, func(i, j int) bool { return later[i].Level.Rank() < later[j].Level.Rank() })
	return now, later
}

// Cities returns the cities that have a service centre, in alphabetical order.
func (d *Directory) Cities() []string {
	var out []string
	for _, c := range d.centres {
		if !slices.Contains(out, c.City) {
			out = append(out, c.City)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(fold(a), fold(b)) })
	return out
}

// fold makes a text comparable the way a person searching means it: case, ё and е, and
// hyphens and runs of spaces ("нижний  новгород", "Ростов на Дону") do not matter.
func fold(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	s = strings.NewReplacer("-", " ", "‐", " ", "–", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// FindCentres finds the service centres whose city contains city (IDP-5; any city when it is
// empty) and that do service (DoConfirm …; any service when it is empty), ordered by city. An
// unknown service or too long a city is an error of that field.
func (d *Directory) FindCentres(city, service string) ([]Centre, error) {
	var fe problem.Fields
	if utf8.RuneCountInString(city) > MaxCityQuery {
		fe.Add("city", msgCentresCity.With(MaxCityQuery))
	}
	if service != "" && !slices.Contains(CentreServices, service) {
		fe.Add("service", msgCentresService)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	want := fold(city)
	out := []Centre{}
	for _, c := range d.Centres() {
		if strings.Contains(fold(c.City), want) && (service == "" || c.Does(service)) {
			out = append(out, c)
		}
	}
	return out, nil
}

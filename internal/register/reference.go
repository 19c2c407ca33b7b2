package register

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
)

// The reference data every write of the register is checked against, shipped in the binary
// beside the regions and the offices and extendable at start (Reference.LoadFile):
//
//   - oksm.csv: ОКСМ, the classifier of the countries of the world (numeric code, alpha-3, names
//     in Russian and English, other names): citizenships, countries of addresses and the
//     country of a foreign organization (REG-8);
//   - document_types.csv, one per jurisdiction (package jurisdiction): which identity documents
//     its own citizens, foreign citizens and stateless persons may hold (REG-3);
//   - kpp_reasons.csv: the КПП reasons each kind of organization may be registered with (TIN-4).
var (
	//go:embed oksm.csv
	oksmCSV []byte
	//go:embed kpp_reasons.csv
	kppReasonsCSV []byte
)

// The headers of the reference files; LoadFile tells the directories apart by them.
const (
	oksmHeader          = "code,alpha3,name_ru,name_en,other_names"
	documentTypesHeader = "type,holders"
	kppReasonsHeader    = "reasons,kind"
)

// Country is an entry of ОКСМ, the classifier of the countries of the world (REG-8).
type Country struct {
	Code       string   // numeric code, 3 digits (643 is Russia)
	Alpha3     string   // three Latin capitals (RUS)
	NameRu     string   // short name in Russian
	NameEn     string   // short name in English
	OtherNames []string // full and common names in either language, also accepted as the country's name
}

// In returns the country's name in lang (Russian, or English for any other language), so that a
// Country can be an argument of a message.
func (c Country) In(lang string) string {
	if lang == "ru" {
		return c.NameRu
	}
	return c.NameEn
}

// Holders of identity documents (REG-3), as document_types.csv names them; an alpha-3 code of
// ОКСМ names the citizens of that one country.
const (
	HolderRussian   = "RUS"       // citizens of the Russian Federation
	HolderForeign   = "foreign"   // citizens of any other country than the jurisdiction's
	HolderStateless = "stateless" // persons without citizenship
)

// Reference is the register's extendable reference data: ОКСМ countries, the identity documents
// allowed per citizenship, the КПП reasons per kind of organization, and the jurisdiction's own
// citizenship and regions, which its domestic documents and addresses are checked against.
// NewReferenceFor gives a jurisdiction's embedded directories; a deployment extends them at
// start (AddCountry, SetDocumentHolders, AddKPPReasons, LoadFile) and hands them to New in
// Options. It is safe for concurrent use.
type Reference struct {
	home    string             // the jurisdiction's citizenship, ОКСМ alpha-3 (RUS, KGZ)
	regions map[string]string  // the jurisdiction's regions: code → name
	words   jurisdiction.Words // how messages name them

	mu        sync.RWMutex
	countries map[string]Country         // by numeric code
	alpha3    map[string]string          // alpha-3 → numeric code
	names     map[string]map[string]bool // numeric code → every accepted name, as countryKey
	holders   map[string][]string        // document type → holders
	reasons   map[Kind]map[string]bool   // kind of organization → КПП reasons
}

// NewReference returns the embedded reference data of the default jurisdiction (Russia), a
// fresh copy that the caller may extend.
func NewReference() *Reference { return NewReferenceFor(jurisdiction.Profile{}) }

// NewReferenceFor returns the embedded reference data of a jurisdiction (the default one for
// the zero Profile), a fresh copy that the caller may extend.
func NewReferenceFor(p jurisdiction.Profile) *Reference {
	p = p.OrDefault()
	r := &Reference{home: p.Country, regions: directoryOf(p).regions, words: p.Words, countries: map[string]Country{}, alpha3: map[string]string{},
		names: map[string]map[string]bool{}, holders: map[string][]string{}, reasons: map[Kind]map[string]bool{}}
	docs, err := fs.ReadFile(p.Data, "document_types.csv")
	if err != nil {
		panic(fmt.Sprintf("register: embedded reference data of %s: %v", p.Code, err)) // a build defect, caught by tests
	}
	for _, b := range [][]byte{oksmCSV, docs, kppReasonsCSV} {
		if err := r.Load(bytes.NewReader(b)); err != nil {
			panic(fmt.Sprintf("register: embedded reference data of %s: %v", p.Code, err)) // a build defect, caught by tests
		}
	}
	return r
}

// Home returns the ОКСМ alpha-3 code of the jurisdiction's own citizens.
func (r *Reference) Home() string { return r.home }

// regionsLabel names the jurisdiction's regions in a message ("a known subject of the Russian
// Federation").
func (r *Reference) regionsLabel() i18n.Key { return i18n.Key(r.words.Regions) }

// citizenLabel names the jurisdiction's citizens in a message ("a Russian citizen").
func (r *Reference) citizenLabel() i18n.Key { return i18n.Key(r.words.Citizen) }

// RegionName returns the name of one of the jurisdiction's regions.
func (r *Reference) RegionName(code string) (string, bool) {
	n, ok := r.regions[code]
	return n, ok
}

// LoadFile extends the reference data from a CSV file with the header of one of the embedded
// files (oksm.csv, document_types.csv or kpp_reasons.csv): its rows add countries (or replace
// the entry with the same code), set the holders of document types, or add КПП reasons.
func (r *Reference) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := r.Load(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Load is LoadFile from a reader.
func (r *Reference) Load(in io.Reader) error {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return errors.New("register: reference file: empty")
	}
	head := strings.Join(recs[0], ",")
	var add func(rec []string) error
	switch strings.TrimPrefix(head, "\ufeff") {
	case oksmHeader:
		add = func(rec []string) error {
			c := Country{Code: rec[0], Alpha3: rec[1], NameRu: rec[2], NameEn: rec[3]}
			for n := range strings.SplitSeq(rec[4], ";") {
				if n = strings.TrimSpace(n); n != "" {
					c.OtherNames = append(c.OtherNames, n)
				}
			}
			return r.AddCountry(c)
		}
	case documentTypesHeader:
		add = func(rec []string) error { return r.SetDocumentHolders(rec[0], strings.Fields(rec[1])...) }
	case kppReasonsHeader:
		add = func(rec []string) error { return r.AddKPPReasons(Kind(rec[1]), rec[0]) }
	default:
		return fmt.Errorf("register: reference file: unknown header %q (want %q, %q or %q)", head, oksmHeader, documentTypesHeader, kppReasonsHeader)
	}
	cols := len(recs[0])
	for i, rec := range recs[1:] {
		if len(rec) != cols {
			return fmt.Errorf("register: reference file: line %d: %d columns, want %d", i+2, len(rec), cols)
		}
		for j := range rec {
			rec[j] = strings.TrimSpace(rec[j])
		}
		if err := add(rec); err != nil {
			return fmt.Errorf("line %d: %w", i+2, err)
		}
	}
	return nil
}

// AddCountry adds a country to ОКСМ, or replaces the entry with the same numeric code.
func (r *Reference) AddCountry(c Country) error {
	switch {
	case !isDigits(c.Code, 3):
		return fmt.Errorf("register: country code %q: want 3 digits", c.Code)
	case !isLatin3(c.Alpha3):
		return fmt.Errorf("register: country %s: alpha-3 code %q: want 3 Latin capitals", c.Code, c.Alpha3)
	case c.NameRu == "" || c.NameEn == "":
		return fmt.Errorf("register: country %s: a name in Russian and in English is required", c.Code)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if code, ok := r.alpha3[c.Alpha3]; ok && code != c.Code {
		return fmt.Errorf("register: country %s: alpha-3 code %s is the code of %s", c.Code, c.Alpha3, code)
	}
	if old, ok := r.countries[c.Code]; ok {
		delete(r.alpha3, old.Alpha3)
	}
	names := map[string]bool{}
	for _, n := range append([]string{c.NameRu, c.NameEn}, c.OtherNames...) {
		if k := countryKey(n); k != "" {
			names[k] = true
		}
	}
	r.countries[c.Code], r.alpha3[c.Alpha3], r.names[c.Code] = c, c.Code, names
	return nil
}

// SetDocumentHolders says who may hold an identity document of a type (REG-3): HolderRussian,
// HolderForeign, HolderStateless or the alpha-3 code of one country of ОКСМ. A type that is not
// one of DocumentTypes is checked like "other" (up to 20 letters and digits); its label, the
// catalogue's "enum.document_type.<type>", is the deployment's to add.
func (r *Reference) SetDocumentHolders(docType string, holders ...string) error {
	if docType == "" || strings.TrimFunc(docType, func(c rune) bool { return c == '_' || c >= 'a' && c <= 'z' }) != "" {
		return fmt.Errorf("register: document type %q: want lower-case Latin letters and _", docType)
	}
	if len(holders) == 0 {
		return fmt.Errorf("register: document type %s: no holders", docType)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range holders {
		if h == HolderForeign || h == HolderStateless {
			continue
		}
		if _, ok := r.alpha3[h]; !ok {
			return fmt.Errorf("register: document type %s: holder %q: want %s, %s or an alpha-3 code of OKSM", docType, h, HolderForeign, HolderStateless)
		}
	}
	r.holders[docType] = slices.Clone(holders)
	return nil
}

// AddKPPReasons allows КПП reasons for a kind of organization (TIN-4): each code two digits or
// Latin capitals, or a range of numbers "01-50".
func (r *Reference) AddKPPReasons(k Kind, codes ...string) error {
	if k != KindOrganization && k != KindForeign {
		return fmt.Errorf("register: KPP reasons for %q: want %s or %s", k, KindOrganization, KindForeign)
	}
	var add []string
	for _, c := range codes {
		if lo, hi, ok := strings.Cut(c, "-"); ok {
			a, errA := strconv.Atoi(lo)
			b, errB := strconv.Atoi(hi)
			if !isDigits(lo, 2) || !isDigits(hi, 2) || errA != nil || errB != nil || a < 1 || a > b {
				return fmt.Errorf("register: KPP reasons %q: want a range of two-digit numbers from 01", c)
			}
			for n := a; n <= b; n++ {
				add = append(add, fmt.Sprintf("%02d", n))
			}
			continue
		}
		if !validReasonChars(c) || c == "00" {
			return fmt.Errorf("register: KPP reason %q: want two digits or Latin capitals", c)
		}
		add = append(add, c)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reasons[k] == nil {
		r.reasons[k] = map[string]bool{}
	}
	for _, c := range add {
		r.reasons[k][c] = true
	}
	return nil
}

// Country returns the ОКСМ entry with a numeric code.
func (r *Reference) Country(code string) (Country, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.countries[code]
	return c, ok
}

// CountryByAlpha3 returns the ОКСМ entry with an alpha-3 code.
func (r *Reference) CountryByAlpha3(alpha3 string) (Country, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.countries[r.alpha3[alpha3]]
	return c, ok
}

// Countries lists ОКСМ by numeric code.
func (r *Reference) Countries() []Country {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Country, 0, len(r.countries))
	for _, c := range r.countries {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Country) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// countryNamed reports whether name is one of the names of the country with a numeric code
// (case, ё, punctuation and spacing aside) (REG-8).
func (r *Reference) countryNamed(code, name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.names[code][countryKey(name)]
}

// DocumentTypes lists the identity document types someone may hold in the jurisdiction: those
// of DocumentTypes with holders first, in its order, then the types a deployment added.
func (r *Reference) DocumentTypes() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out, added []string
	for _, t := range DocumentTypes {
		if len(r.holders[t]) > 0 {
			out = append(out, t)
		}
	}
	for t := range r.holders {
		if !slices.Contains(DocumentTypes, t) {
			added = append(added, t)
		}
	}
	slices.Sort(added)
	return append(out, added...)
}

// DocumentHolders returns who may hold a document type, nil for a type the register does not know.
func (r *Reference) DocumentHolders(docType string) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Clone(r.holders[docType])
}

// documentAllowed reports whether a person of a citizenship ("" for a stateless person) may
// hold a document type (REG-3). A foreign citizen is a citizen of another country than the
// jurisdiction's.
func (r *Reference) documentAllowed(docType, citizenship string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, h := range r.holders[docType] {
		switch {
		case h == citizenship && citizenship != "",
			h == HolderForeign && citizenship != "" && citizenship != r.home,
			h == HolderStateless && citizenship == "":
			return true
		}
	}
	return false
}

// KPPReasons lists the КПП reasons allowed for a kind of organization, sorted.
func (r *Reference) KPPReasons(k Kind) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.reasons[k]))
	for c := range r.reasons[k] {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// reasonAllowed reports whether a КПП reason is allowed for a kind of organization (TIN-4).
func (r *Reference) reasonAllowed(k Kind, reason string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.reasons[k][reason]
}

// describeReasons words the allowed reasons compactly for a message: "01–50", "50–99, AB".
func describeReasons(codes []string) string {
	var parts []string
	for i := 0; i < len(codes); {
		j := i
		if isDigits(codes[i], 2) {
			for j+1 < len(codes) && isDigits(codes[j+1], 2) && atoi2(codes[j+1]) == atoi2(codes[j])+1 {
				j++
			}
		}
		if j > i {
			parts = append(parts, codes[i]+"–"+codes[j])
		} else {
			parts = append(parts, codes[i])
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

// countryKey is the form country names are compared in: upper case, ё as е, every run of
// characters other than letters and digits (spaces, dashes, quotes, brackets, commas) as one space.
func countryKey(s string) string {
	var b strings.Builder
	space := false
	for _, c := range s {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		c = unicode.ToUpper(c)
		if c == 'Ё' {
			c = 'Е'
		}
		b.WriteRune(c)
	}
	return b.String()
}

package register

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/problem"
)

// Reading the register: one taxpayer by TIN, and the search (BO-1: an inspector finds a record
// before changing it).
//
// Names are searched by their words: the store keeps a word index (SearchWords) of the full, short
// and Latin names of every record (REG-8 gives a foreign organization all three), and a query's
// words (QueryWords) must each begin some word of the record. Legal forms spelled out and
// abbreviated («Общество с ограниченной ответственностью», «ООО») index alike, and a query
// ignores them when it has other words, so «ООО «Северное сияние»» finds «Общество с
// ограниченной ответственностью «Северное сияние»». The same index holds the number of each of
// a person's documents without its series (REG-3 keeps their full keys), so «000050» finds the
// holder of passport 4500 000050.

// Summary is one line of a search result.
type Summary struct {
	TIN       string
	Kind      Kind
	Status    Status
	Name      string // full name of a person or an organization (in Russian for a foreign one)
	NameLatin string // a foreign organization's full name in Latin letters (REG-8)
	TaxOffice string
	BirthDate *time.Time // persons
}

// SearchFilter selects taxpayers. Query matches a TIN (or its prefix), a name (case-insensitive,
// ё = е, prefix of the surname or the organization name), an identity document number, ОГРН or КИО.
type SearchFilter struct {
	Query  string
	Kind   Kind
	Status Status
	Limit  int
	Offset int
}

var msgOffsetMax = problem.Msg("register.offset_max")

// Taxpayer returns the record with its KPPs and history (FindTaxpayerByTIN). A TIN that is not
// applied any more still answers, with its status, reason and the kept TIN (REG-7).
func (s *Service) Taxpayer(ctx context.Context, tin string) (*Taxpayer, error) {
	tin = strings.TrimSpace(tin)
	if !s.tinLength(tin) {
		return nil, notFound(tin)
	}
	return s.resolved(ctx, s.store, tin)
}

func notFound(tin string) error {
	return problem.New(problem.NotFound, msgTaxpayerNotFound.With(tin))
}

// MaxSearchOffset bounds how deep a search may page (a narrower query finds the rest), so that
// no request makes the store hold more than a few thousand rows.
const MaxSearchOffset = 5000

// Search finds taxpayers by a TIN or its prefix, ОГРН, КИО, СНИЛС, an identity document's series
// and number or its number alone, or words of the names (each query word begins a word of the
// full, short or Latin name, in any order; case, ё/е, quotes and legal forms do not matter), with
// filters. It uses indexes only.
func (s *Service) Search(ctx context.Context, f SearchFilter) ([]Summary, error) {
	if f.Offset > MaxSearchOffset {
		return nil, problem.InvalidField("offset", msgOffsetMax.With(MaxSearchOffset))
	}
	q := Query{Kind: f.Kind, Status: f.Status, Limit: f.Limit, Offset: f.Offset}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	text := strings.TrimSpace(f.Query)
	compact := normalizeCode(text)
	switch {
	case text == "":
		q.MatchNoText = true
	case digitsOnly(compact):
		if len(compact) <= slices.Max(s.profile.TIN.Digits) {
			q.TINPrefix = compact
		}
		if len(compact) == 13 || len(compact) == 15 {
			q.OGRN = compact
		}
		if len(compact) == 5 {
			q.KIO = compact
		}
		if len(compact) == 11 {
			q.SNILS = compact
		}
		q.DocKeys = s.ref.documentKeys(compact)
		q.DocNumber = documentNumberKey(compact)
	default:
		q.Words = QueryWords(text)
		if strings.ContainsAny(compact, "0123456789") {
			q.DocKeys = s.ref.documentKeys(compact)
			q.DocNumber = documentNumberKey(compact)
		}
	}
	out, err := s.store.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []Summary{}
	}
	return out, nil
}

const (
	// MaxQueryWords bounds the words of a query the store matches (one index probe each per
	// candidate record); the longest are kept: the others would only narrow the result further.
	MaxQueryWords = 8
	// maxWordRunes is where index and query words are cut, alike, so that a long word still
	// begins with any query word that begins it.
	maxWordRunes = 48
	// documentNumberMark starts the index entries of document numbers: name words are letters
	// and digits only, so the two never meet.
	documentNumberMark = "#"
)

// legalForms are the organizational and legal forms whose abbreviation and spelled-out form are
// the same thing to the search, in normalized words. A form with no words is only an
// abbreviation.
var legalForms = []struct {
	abbr  string
	words string
}{
	{"ооо", "общество с ограниченной ответственностью"},
	{"одо", "общество с дополнительной ответственностью"},
	{"ао", "акционерное общество"},
	{"пао", "публичное акционерное общество"},
	{"нао", "непубличное акционерное общество"},
	{"оао", "открытое акционерное общество"},
	{"зао", "закрытое акционерное общество"},
	{"ип", "индивидуальный предприниматель"},
	{"гуп", "государственное унитарное предприятие"},
	{"фгуп", "федеральное государственное унитарное предприятие"},
	{"муп", "муниципальное унитарное предприятие"},
	{"нко", "некоммерческая организация"},
	{"ано", "автономная некоммерческая организация"},
	{"пк", "производственный кооператив"},
	{"llc", "limited liability company"},
	{"ltd", "limited"},
	{"plc", "public limited company"},
	{"inc", "incorporated"},
	{"corp", "corporation"},
	{"co", "company"},
	{"gmbh", "gesellschaft mit beschränkter haftung"},
	{"ag", "aktiengesellschaft"},
	{"sa", ""}, {"srl", ""}, {"spa", ""}, {"bv", ""}, {"nv", ""}, {"oy", ""}, {"ab", ""},
	{"гмбх", ""}, {"лтд", ""}, {"инк", ""},
}

var (
	// legalByAbbr maps an abbreviation to its spelled-out words (nil when it has none).
	legalByAbbr = map[string][]string{}
	// legalByFirst lists the spelled-out forms by their first word, the longest first.
	legalByFirst = map[string][]legalPhrase{}
)

type legalPhrase struct {
	abbr  string
	words []string
}

func init() {
	for _, f := range legalForms {
		words := strings.Fields(f.words)
		legalByAbbr[f.abbr] = words
		if len(words) > 0 {
			legalByFirst[words[0]] = append(legalByFirst[words[0]], legalPhrase{f.abbr, words})
		}
	}
	for _, ps := range legalByFirst {
		slices.SortStableFunc(ps, func(a, b legalPhrase) int { return len(b.words) - len(a.words) })
	}
}

// legalPhraseAt returns the abbreviation of the longest legal form spelled out at toks[i:] and
// how many words it takes, or 0.
func legalPhraseAt(toks []string, i int) (string, int) {
	for _, p := range legalByFirst[toks[i]] {
		if i+len(p.words) <= len(toks) && slices.Equal(toks[i:i+len(p.words)], p.words) {
			return p.abbr, len(p.words)
		}
	}
	return "", 0
}

// isApostrophe reports the characters dropped inside a word rather than splitting it
// (O'Brien = OBrien).
func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ' || r == '`' || r == '´'
}

// appendWords appends the normalized words of s to dst: lower case, ё as е, cut at maxWordRunes,
// split at everything that is not a letter, a digit or a combining mark (spaces, quotes «»",
// punctuation, hyphens).
func appendWords(dst []string, s string) []string {
	var b strings.Builder
	n := 0
	flush := func() {
		if b.Len() > 0 {
			dst = append(dst, b.String())
			b.Reset()
			n = 0
		}
	}
	for _, r := range s {
		switch {
		case isApostrophe(r):
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if n == maxWordRunes {
				continue
			}
			if r = unicode.ToLower(r); r == 'ё' {
				r = 'е'
			}
			b.WriteRune(r)
			n++
		default:
			flush()
		}
	}
	flush()
	return dst
}

// documentNumberKey is the word index entry of a document number without its series (any
// spaces, dashes or case); "" for a number with no letter or digit.
func documentNumberKey(number string) string {
	c := normalizeCode(number)
	if c == "" {
		return ""
	}
	if utf8.RuneCountInString(c) > maxWordRunes {
		c = string([]rune(c)[:maxWordRunes])
	}
	return documentNumberMark + c
}

// SearchWords returns the word index entries of a record (what the store keeps in step with it):
// the words of a person's full name and the numbers of all its documents (REG-3), the words of an
// organization's full and short names, the words of a foreign organization's full, short and
// Latin names (REG-8).
func SearchWords(t *Taxpayer) []string {
	switch {
	case t.Person != nil:
		p := t.Person
		numbers := make([]string, len(p.Documents))
		for i, d := range p.Documents {
			numbers[i] = d.Number
		}
		return SearchWordsOf([]string{p.Surname, p.GivenName, p.Patronymic}, numbers)
	case t.Organization != nil:
		return SearchWordsOf([]string{t.Organization.FullName, t.Organization.ShortName}, nil)
	case t.Foreign != nil:
		return SearchWordsOf([]string{t.Foreign.NameRu, t.Foreign.ShortNameRu, t.Foreign.NameLatin}, nil)
	}
	return nil
}

// SearchWordsOf returns the word index entries of a record with these names and document numbers,
// sorted, without repeats: every word of every name; for a legal form, both its abbreviation and
// its spelled-out words, whichever the name has; "#" and each document number. A store that reads
// names from stored rows (a migration) calls it directly.
func SearchWordsOf(names, documentNumbers []string) []string {
	var out, toks []string
	for _, name := range names {
		toks = appendWords(toks[:0], name)
		out = append(out, toks...)
		for i, w := range toks {
			if abbr, n := legalPhraseAt(toks, i); n > 0 {
				out = append(out, abbr)
			}
			out = append(out, legalByAbbr[w]...)
		}
	}
	for _, n := range documentNumbers {
		if k := documentNumberKey(n); k != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// QueryWords returns the words a name query matches by, each to begin some index word of the
// record (SearchWords). Legal forms, spelled out or abbreviated, count as their abbreviation and
// are left out when the query has other words: «ООО «Северное сияние»» is «северное», «сияние».
// A word that begins another query word adds nothing and is left out; the words come longest
// first, and at most MaxQueryWords of them are kept.
func QueryWords(s string) []string {
	toks := appendWords(nil, s)
	var words, legal []string
	for i := 0; i < len(toks); {
		if abbr, n := legalPhraseAt(toks, i); n > 0 {
			legal = append(legal, abbr)
			i += n
			continue
		}
		if _, ok := legalByAbbr[toks[i]]; ok {
			legal = append(legal, toks[i])
		} else {
			words = append(words, toks[i])
		}
		i++
	}
	if len(words) == 0 {
		words = legal
	}
	slices.SortFunc(words, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	out := words[:0]
	for _, w := range words {
		if !slices.ContainsFunc(out, func(k string) bool { return strings.HasPrefix(k, w) }) {
			out = append(out, w)
		}
	}
	if len(out) > MaxQueryWords {
		out = out[:MaxQueryWords]
	}
	return out
}

package register

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
)

// The reference data: ОКСМ, documents per citizenship and КПП reasons (reference.go).

// TestReference: the embedded directories are complete and consistent, and a deployment extends
// them at start from files with the same headers (REG-3, REG-8, TIN-4).
func TestReference(t *testing.T) {
	ref := NewReference()
	countries := ref.Countries()
	if len(countries) < 249 {
		t.Fatalf("%d countries in OKSM", len(countries))
	}
	alpha := map[string]bool{}
	for _, c := range countries {
		if !isDigits(c.Code, 3) || !isLatin3(c.Alpha3) || alpha[c.Alpha3] || c.NameRu == "" || c.NameEn == "" {
			t.Fatalf("bad country %+v", c)
		}
		alpha[c.Alpha3] = true
		for _, n := range append([]string{c.NameRu, c.NameEn}, c.OtherNames...) {
			if !singleLine(n) || strings.TrimSpace(n) != n || strings.ContainsRune(n, '\u0301') {
				t.Errorf("country %s: name %q", c.Code, n)
			}
		}
		if !strings.ContainsFunc(c.NameRu, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) {
			t.Errorf("country %s: Russian name %q", c.Code, c.NameRu)
		}
	}
	// The common ones, checked against ОКСМ by hand.
	for _, c := range []struct{ code, alpha3, ru, en string }{
		{"643", "RUS", "Россия", "Russian Federation"}, {"276", "DEU", "Германия", "Germany"}, {"840", "USA", "США", "United States of America"},
		{"826", "GBR", "Великобритания", "United Kingdom"}, {"156", "CHN", "Китай", "China"}, {"196", "CYP", "Кипр", "Cyprus"},
		{"372", "IRL", "Ирландия", "Ireland"}, {"112", "BLR", "Беларусь", "Belarus"}, {"398", "KAZ", "Казахстан", "Kazakhstan"},
		{"417", "KGZ", "Кыргызстан", "Kyrgyzstan"}, {"860", "UZB", "Узбекистан", "Uzbekistan"}, {"762", "TJK", "Таджикистан", "Tajikistan"},
		{"051", "ARM", "Армения", "Armenia"}, {"031", "AZE", "Азербайджан", "Azerbaijan"}, {"268", "GEO", "Грузия", "Georgia"},
		{"498", "MDA", "Молдова", "Moldova"}, {"804", "UKR", "Украина", "Ukraine"}, {"250", "FRA", "Франция", "France"},
		{"380", "ITA", "Италия", "Italy"}, {"724", "ESP", "Испания", "Spain"}, {"792", "TUR", "Турция", "Turkey"},
		{"356", "IND", "Индия", "India"}, {"392", "JPN", "Япония", "Japan"}, {"410", "KOR", "Южная Корея", "South Korea"},
		{"784", "ARE", "Объединенные Арабские Эмираты", "United Arab Emirates"}, {"756", "CHE", "Швейцария", "Switzerland"},
		{"528", "NLD", "Нидерланды", "Netherlands"}, {"203", "CZE", "Чехия", "Czech Republic"}, {"616", "POL", "Польша", "Poland"},
		{"246", "FIN", "Финляндия", "Finland"}, {"704", "VNM", "Вьетнам", "Viet Nam"}, {"818", "EGY", "Египет", "Egypt"},
	} {
		got, ok := ref.Country(c.code)
		if by, ok2 := ref.CountryByAlpha3(c.alpha3); !ok || !ok2 || by.Code != c.code || got.Alpha3 != c.alpha3 {
			t.Errorf("OKSM %s %s: %+v", c.code, c.alpha3, got)
		}
		if !ref.countryNamed(c.code, c.ru) || !ref.countryNamed(c.code, strings.ToUpper(c.en)) {
			t.Errorf("OKSM %s does not answer to %q and %q", c.code, c.ru, c.en)
		}
	}
	if ref.countryNamed("276", "Франция") || ref.countryNamed("999", "Германия") {
		t.Error("a country answers to another's name")
	}
	// UN members are all there (a sample of the less common).
	for _, a := range []string{"SSD", "TLS", "MNE", "SRB", "ERI", "PLW", "TUV", "NRU", "KIR", "FSM", "MHL", "SWZ", "CPV", "STP", "VAT", "PSE"} {
		if _, ok := ref.CountryByAlpha3(a); !ok {
			t.Errorf("%s missing from OKSM", a)
		}
	}
	// Every document type has holders in some jurisdiction, and a jurisdiction's file names no
	// type the register does not know the format of.
	held := map[string]bool{}
	for _, c := range jurisdiction.Codes() {
		r := NewReferenceFor(jurisdiction.MustLookup(c))
		for _, d := range r.DocumentTypes() {
			held[d] = true
			if !slices.Contains(DocumentTypes, d) {
				t.Errorf("%s: document type %s has no format", c, d)
			}
		}
	}
	for _, d := range DocumentTypes {
		if !held[d] {
			t.Errorf("document type %s has no holders in any document_types.csv", d)
		}
	}
	if !slices.Equal(ref.DocumentTypes(), DocumentTypes[:8]) {
		t.Errorf("Russian document types %v", ref.DocumentTypes())
	}
	if !ref.documentAllowed("passport_ru", "RUS") || ref.documentAllowed("passport_ru", "DEU") || ref.documentAllowed("passport_ru", "") ||
		!ref.documentAllowed("passport_foreign", "DEU") || ref.documentAllowed("passport_foreign", "RUS") || !ref.documentAllowed("residence_permit", "") ||
		ref.documentAllowed("passport_kg", "KGZ") || ref.documentAllowed("id_card_kg", "KGZ") {
		t.Error("document types per citizenship")
	}
	// KG: the Kyrgyz citizen's ID card and passport; a Kyrgyz citizen is no foreigner there, a
	// Russian one is.
	kg := NewReferenceFor(jurisdiction.MustLookup(jurisdiction.KG))
	if !kg.documentAllowed("id_card_kg", "KGZ") || !kg.documentAllowed("passport_kg", "KGZ") || kg.documentAllowed("id_card_kg", "RUS") ||
		kg.documentAllowed("passport_foreign", "KGZ") || !kg.documentAllowed("passport_foreign", "RUS") || !kg.documentAllowed("passport_ru", "RUS") ||
		kg.documentAllowed("military_id", "KGZ") || kg.Home() != "KGZ" {
		t.Error("Kyrgyz document types per citizenship")
	}
	// Extending at start from files.
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := ref.LoadFile(write("c.csv", oksmHeader+"\n999,XKA,Тестландия,Testland,Республика Тестландия\n")); err != nil {
		t.Fatal(err)
	}
	if c, ok := ref.CountryByAlpha3("XKA"); !ok || c.Code != "999" || !ref.countryNamed("999", "республика тестландия") {
		t.Errorf("added country: %+v", c)
	}
	if err := ref.LoadFile(write("d.csv", "type,holders\npassport_foreign,foreign stateless\n")); err != nil || !ref.documentAllowed("passport_foreign", "") {
		t.Errorf("document holders changed: %v", err)
	}
	for name, text := range map[string]string{
		"header":      "a,b\n1,2\n",
		"country":     oksmHeader + "\n12,XKB,А,B,\n",
		"alpha taken": oksmHeader + "\n998,DEU,А,B,\n",
		"holder":      "type,holders\nx_card,martians\n",
		"kind":        "reasons,kind\n01,person\n",
		"range":       "reasons,kind\n50-10,organization\n",
		"columns":     "reasons,kind\n01\n",
	} {
		if err := ref.LoadFile(write(name+".csv", text)); err == nil {
			t.Errorf("%s: bad reference file accepted", name)
		}
	}
}

// TestKPPReasons: the reasons per kind of organization come from kpp_reasons.csv (TIN-4): 01–50
// for a Russian organization, 50–99 for a foreign one, no letters until a deployment adds them.
func TestKPPReasons(t *testing.T) {
	s := &Service{ref: NewReference()}
	for _, c := range []struct {
		r    string
		kind Kind
		ok   bool
	}{{"01", KindOrganization, true}, {"50", KindOrganization, true}, {"51", KindOrganization, false}, {"00", KindOrganization, false},
		{"50", KindForeign, true}, {"51", KindForeign, true}, {"99", KindForeign, true}, {"49", KindForeign, false}, {"01", KindForeign, false},
		{"AB", KindForeign, false}, {"XX", KindForeign, false}, {"4A", KindOrganization, false}, {"ab", KindOrganization, false},
		{"5\n", KindForeign, false}} {
		var fe problem.Fields
		s.checkReason(&fe, c.r, c.kind)
		if (len(fe) == 0) != c.ok {
			t.Errorf("reason %q for %s: errors %v, want ok=%v", c.r, c.kind, fe.Err(), c.ok)
			continue
		}
		checkMessages(t, "reason "+c.r, fe)
	}
	var fe problem.Fields
	s.checkReason(&fe, "XX", KindForeign)
	if m := fe[0]; !strings.Contains(m.In("ru"), "50–99") || !strings.Contains(m.In("en"), "50–99") || !strings.Contains(m.In("en"), "XX") {
		t.Errorf("reason XX: %q / %q", m.In("ru"), m.In("en"))
	}
	// A deployment extends the directory at start: a letter code for foreign organizations.
	if err := s.ref.Load(strings.NewReader("reasons,kind\nAB,foreign_organization\n")); err != nil {
		t.Fatal(err)
	}
	fe = nil
	if s.checkReason(&fe, "AB", KindForeign); len(fe) != 0 {
		t.Errorf("added reason refused: %v", fe.Err())
	}
	if s.checkReason(&fe, "AB", KindOrganization); len(fe) != 1 {
		t.Errorf("a foreign reason accepted for a Russian organization: %v", fe.Err())
	}
	if got := describeReasons([]string{"01", "02", "03", "07", "AB"}); got != "01–03, 07, AB" {
		t.Errorf("describeReasons: %q", got)
	}
}

package i18n_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
)

// Kyrgyz (ky) is the language of the Kyrgyz taxpayer (KG-1, KG-2) and falls back to Russian for
// the rest (i18n.Fallbacks): the back office, where the inspectors work in Russian, and the
// Russian profile's pages. The keys it must have are computed here from what serves the Kyrgyz
// taxpayer: the files of the pages, the rules and the API (every key they use literally, every
// field they name, every hint and every jurisdiction's wording they read), the enumerated values
// and the notifications those pages show, the errors of the web kit and of the TIN-6 parser,
// and the extract the cabinet issues.

// kyrgyzFiles are the files whose keys a Kyrgyz taxpayer meets (relative to the module's root):
// the web kit's layout, error page and messages; the cabinet's pages mounted in the kg profile;
// the cabinet's rules of those pages, of the registration (KG-1) and of the mobile login (KG-2);
// the mobile API; the attempt limits; the flows; the PDF of the login handed over (kg.handover.*,
// in the applicant's language; the page the inspector prints it from is the back office's), and
// of the one-time password of access restored at the УГНС (kg.restore.*, in the owner's
// language); every notice of the Kyrgyz cabinet (notify.kg.*).
var kyrgyzFiles = []string{
	"internal/web/templates/*.html", "internal/web/*.go",
	"internal/lkweb/templates/_nav.html", "internal/lkweb/templates/login.html", "internal/lkweb/templates/home.html",
	"internal/lkweb/templates/settings.html", "internal/lkweb/templates/recovery.html", "internal/lkweb/templates/recovery_link.html",
	"internal/lkweb/templates/register.html", "internal/lkweb/templates/register_ways.html", "internal/lkweb/templates/register_status.html",
	"internal/lkweb/lkweb.go", "internal/lkweb/flows.go", "internal/lkweb/login.go", "internal/lkweb/home.go", "internal/lkweb/settings.go",
	"internal/lkweb/recovery.go", "internal/lkweb/register.go", "internal/lkweb/register_status.go",
	"internal/cabinet/cabinet.go", "internal/cabinet/login.go", "internal/cabinet/password.go", "internal/cabinet/recovery.go",
	"internal/cabinet/code.go", "internal/cabinet/history.go", "internal/cabinet/registration.go", "internal/cabinet/registration_status.go",
	"internal/cabinet/terms.go",
	"internal/cabinet/mobile.go", "internal/mobileapi/*.go", "internal/limits/*.go", "internal/flow/*.go",
	"internal/backoffice/registrationpdf.go",
}

// kyrgyzPrefixes are the keys made at run time on those pages: enumerated values, the extract
// and the register's values it shows, the errors of TIN-6 numbers and of JSON bodies.
var kyrgyzPrefixes = []string{
	"enum.lk_event.", "enum.lk_notice.", "enum.lk_source.", "enum.channel.", "enum.message_state.", "enum.status.",
	"enum.person_type.", "enum.signatory_role.", "enum.terms.", "enum.kind.", "enum.end_reason.", "extract.", "json.kind.", "body.", "kg.handover.",
	"kg.restore.", "notify.kg.",
	"tin.length.kg", "tin.first_digit.kg", "tin.kind.kg", "tin.empty", "tin.non_digit", "tin.date", "tin.future_date", "tin.serial", "tin.invalid",
}

var (
	localUse    = regexp.MustCompile(`\.Local "([a-z0-9_.]+)"|"hint=([a-z0-9_.]+)"|\.local\((msg[A-Za-z]+)\.Key\)`)
	fieldUse    = regexp.MustCompile(`(?:fe\.Add|requiredText\(&?fe,|InvalidField|i18n\.Field|checkPasswordPair)\(\s*"([a-z_]+)"|\.Field "([a-z_]+)"|\{Name: "([a-z_]+)"`)
	notifyUse   = regexp.MustCompile(`"(notify\.[a-z_]+\.[a-z_]+)"`)
	msgVar      = regexp.MustCompile(`(msg[A-Za-z]+)\s*=\s*problem\.Msg\("([a-z0-9_.]+)"`)
	kgProfile   = jurisdiction.MustLookup(jurisdiction.KG)
	kgJurisdict = string(kgProfile.Code)
)

// kyrgyzKeys computes the keys Kyrgyz must have.
func kyrgyzKeys(t *testing.T) map[string]string {
	t.Helper()
	need := map[string]string{} // key → why
	add := func(k, why string) {
		if i18n.Own(i18n.Default, k) {
			need[k] = why
		}
		if l := k + "." + kgJurisdict; i18n.Own(i18n.Default, l) { // the jurisdiction's own wording
			need[l] = why
		}
	}
	vars := map[string]string{} // msgX → its key, for s.local(msgX.Key)
	sources := readSources(t, kyrgyzFiles)
	for _, text := range sources {
		for _, m := range msgVar.FindAllStringSubmatch(text, -1) {
			vars[m[1]] = m[2]
		}
	}
	for f, text := range sources {
		for _, re := range usedPatterns {
			for _, m := range re.FindAllStringSubmatch(text, -1) {
				add(m[1], f)
			}
		}
		for _, m := range localUse.FindAllStringSubmatch(text, -1) {
			for _, k := range []string{m[1], m[2], vars[m[3]]} {
				if k != "" {
					add(k, f)
				}
			}
		}
		for _, m := range fieldUse.FindAllStringSubmatch(text, -1) {
			for _, name := range m[1:] {
				if name != "" {
					add("field."+name, f)
				}
			}
		}
		for _, m := range notifyUse.FindAllStringSubmatch(text, -1) {
			for _, k := range []string{m[1] + ".subject", m[1] + ".body", m[1] + "." + kgJurisdict + ".subject", m[1] + "." + kgJurisdict + ".body",
				"enum.lk_notice." + m[1]} {
				add(k, f)
			}
		}
	}
	for _, k := range i18n.Keys(i18n.Default) {
		for _, p := range kyrgyzPrefixes {
			if strings.HasPrefix(k, p) {
				add(k, "prefix "+p)
			}
		}
	}
	// The cabinet's history and sources, and the TIN words a refused number names.
	for _, e := range cabinet.EventKinds {
		add("enum.lk_event."+e, "cabinet.EventKinds")
	}
	for _, c := range jurisdiction.Codes() {
		add(jurisdiction.MustLookup(c).Words.TIN, "jurisdiction words")
	}
	add("lang.name", "the language switch")
	return need
}

// KG-1, KG-2: Kyrgyz has a text of every key the Kyrgyz taxpayer's pages, errors, field labels,
// enumerated values, notifications and mobile API use; Russian is its fallback for the rest.
func TestKyrgyzCoverage(t *testing.T) {
	if i18n.Fallback("ky") != "ru" || !i18n.Supported("ky") || !slices.Contains(kgProfile.Languages, "ky") {
		t.Fatalf("ky: supported %v, fallback %q, kg languages %v", i18n.Supported("ky"), i18n.Fallback("ky"), kgProfile.Languages)
	}
	need := kyrgyzKeys(t)
	if len(need) < 300 {
		t.Fatalf("only %d keys computed: the scan is broken", len(need))
	}
	var missing []string
	for k, why := range need {
		if !i18n.Own("ky", k) {
			missing = append(missing, k+" ("+why+")")
		}
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Errorf("no Kyrgyz text: %s", m)
	}
	// The words, in Kyrgyz Cyrillic with its own letters.
	for k, want := range map[string]string{"lk.reg.search": "Издөө", "lk.password.repeat": "Сырсөздөр дал келбейт", "lk.reg.submit": "Катталуу",
		"lk.login.submit": "Кирүү", "lk.reg.f.password": "Сырсөз", "lang.name": "Кыргызча"} {
		if got := i18n.T("ky", k); got != want {
			t.Errorf("ky %s: %q, want %q", k, got, want)
		}
	}
	// And the form's Russian words are the seed's.
	for k, want := range map[string]string{"lk.reg.search": "Поиск", "lk.password.repeat": "Пароли не совпадают", "lk.reg.f.org_name": "Наименование налогоплательщика",
		"lk.reg.f.office": "Код УГНС", "lk.reg.submit": "Зарегистрироваться", "lk.reg.way_password": "Логин и пароль", "lk.reg.f.name": "ФИО"} {
		if got := i18n.T("ru", k); got != want {
			t.Errorf("ru %s: %q, want %q", k, got, want)
		}
	}
}

// A key Kyrgyz lacks is shown in Russian, its fallback, with its arguments still translated into
// Kyrgyz where they can be; it is not reported missing.
func TestKyrgyzFallback(t *testing.T) {
	const key = "office.dash.title" // the back office: Russian for the inspectors
	if i18n.Own("ky", key) || !i18n.Has("ky", key) || i18n.T("ky", key) != i18n.T("ru", key) {
		t.Fatalf("%s in ky: own %v, has %v, %q", key, i18n.Own("ky", key), i18n.Has("ky", key), i18n.T("ky", key))
	}
	before := len(i18n.Missing())
	_ = i18n.T("ky", key)
	if len(i18n.Missing()) != before {
		t.Errorf("a fallback was reported missing: %v", i18n.Missing())
	}
	if got := i18n.T("ky", "lk.required", i18n.Field("password")); got != "«Сырсөз» талаасы милдеттүү" {
		t.Errorf("a label in a Kyrgyz message: %q", got)
	}
	if got := i18n.T("en", "lk.reg.search"); got != "Search" {
		t.Errorf("en: %q", got)
	}
}

// readSources returns the text of the files that patterns name (relative to the module's root),
// by file, tests left out; a pattern that names no file fails the test.
func readSources(t *testing.T, patterns []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, pattern := range patterns {
		files, err := filepath.Glob(filepath.Join("..", "..", pattern))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no file (%v)", pattern, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = string(b)
		}
	}
	return out
}

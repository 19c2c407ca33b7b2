package extract

import (
	"bytes"
	"compress/zlib"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font/sfnt"

	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/register"
)

const sampleURL = "https://kabinet.example/verify/extract/2026-0000042-7K3QX9PD"

func sample() *register.Extract {
	return &register.Extract{Number: "2026-0000042-7K3QX9PD", IssuedAt: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
		IssuedBy: "Иванова Анна Сергеевна", Position: "Главный государственный налоговый инспектор",
		Office: register.OfficeCard{Office: register.Office{Code: "5263", Name: "Инспекция ФНС России № 63 по Нижегородской области", Region: "52"},
			FullName: "Инспекция Федеральной налоговой службы № 63 по Нижегородской области",
			Address:  "603001, Нижегородская область, г. Нижний Новгород, ул. Мира, д. 7", TimeZone: "Europe/Moscow"},
		Taxpayer: &register.Taxpayer{TIN: "526317984689", Kind: register.KindPerson, Status: register.StatusActive, TaxOffice: "5263",
			RegisteredOn: time.Date(2001, 3, 1, 0, 0, 0, 0, time.UTC),
			Person:       &register.Person{Surname: "Ёлкина", GivenName: "Анна", Patronymic: "Сергеевна", BirthDate: time.Date(1980, 5, 17, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Нижний Новгород"}}}
}

// REG-9: the page names the office in full with its address, the officer by name and position,
// gives the local time of issue, and carries the QR code and the link of the verification page.
func TestHTML(t *testing.T) {
	for _, lang := range []string{"ru", "en"} {
		var b bytes.Buffer
		if err := HTML(&b, sample(), lang, Options{VerifyURL: sampleURL, PDFURL: "/x.pdf", SignatureURL: "/x.p7s"}); err != nil {
			t.Fatal(err)
		}
		s := html.UnescapeString(b.String())
		for _, want := range []string{"526317984689", "Ёлкина Анна Сергеевна", "2026-0000042-7K3QX9PD", "Инспекция Федеральной налоговой службы № 63 по Нижегородской области",
			"603001, Нижегородская область", "Иванова Анна Сергеевна", "Главный государственный налоговый инспектор", "22.11.2026 13:00",
			`src="data:image/png;base64,`, `href="` + sampleURL + `"`, `href="/x.p7s"`} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: no %q in\n%s", lang, want, s)
			}
		}
		if strings.Contains(s, "style=") || strings.Contains(s, "<style") || strings.Contains(s, "<script") {
			t.Errorf("%s: inline style or script (the CSP blocks them)", lang)
		}
		if lang == "en" && (!strings.Contains(s, "Extract from the Unified State Register of Taxpayers") || !strings.Contains(s, "(local time, UTC+03:00)")) {
			t.Fatal("English title or local time missing")
		}
		if lang == "ru" && (!strings.Contains(s, "Выписка из Единого государственного реестра налогоплательщиков") || !strings.Contains(s, "(местное время, UTC+03:00)")) {
			t.Fatal("Russian title or local time missing")
		}
	}
	// Values are escaped.
	e := sample()
	e.Taxpayer.Person.BirthPlace = "<script>x</script>"
	var b bytes.Buffer
	HTML(&b, e, "ru", Options{})
	if strings.Contains(b.String(), "<script>x") {
		t.Fatal("not escaped")
	}
}

// REG-8, REG-5: a foreign organization's country is named in the extract's language by its ОКСМ
// code; a КПП on a further ground gives the address kept with it.
func TestForeignCountryAndKPPAddress(t *testing.T) {
	e := sample()
	e.Taxpayer.Person, e.Taxpayer.Kind, e.Taxpayer.TIN = nil, register.KindForeign, "9909000018"
	e.Taxpayer.Foreign = &register.KIO{Code: "00001", KIOInput: register.KIOInput{NameRu: "Нордлихт ГмбХ", NameLatin: "Nordlicht GmbH", Country: "Германия", OKSM: "276"}}
	c, _ := register.NewReference().Country("276")
	e.Country = &c
	e.Taxpayer.KPPs = []register.KPP{{Code: "990950001", Ground: register.KPPLocation, TaxOffice: "9909", Address: register.Address{City: "Берлин"}},
		{Code: "780143001", Ground: register.KPPSubdivision, TaxOffice: "7801", Address: register.Address{Region: "78", City: "Санкт-Петербург", Street: "Невский проспект", House: "28"}}}
	for lang, want := range map[string][]string{
		"ru": {"Страна регистрации", "Германия (код ОКСМ 276)", "Санкт-Петербург, Невский проспект, 28"},
		"en": {"Country of registration", "Germany (OKSM code 276)", "Санкт-Петербург, Невский проспект, 28"},
	} {
		var b bytes.Buffer
		if err := HTML(&b, e, lang, Options{}); err != nil {
			t.Fatal(err)
		}
		s := html.UnescapeString(b.String())
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("%s: no %q in\n%s", lang, w, s)
			}
		}
		if strings.Contains(s, "Берлин") {
			t.Errorf("%s: the address of the КПП at the location, which is the organization's, is repeated", lang)
		}
	}
}

// The time of issue is the office's local time: Yekaterinburg is UTC+5, and an office with no
// time zone (or an unknown one) keeps Moscow time.
func TestLocalTime(t *testing.T) {
	at := time.Date(2026, 1, 31, 22, 30, 0, 0, time.UTC)
	for _, c := range []struct{ zone, want string }{
		{"Asia/Yekaterinburg", "01.02.2026 03:30 (местное время, UTC+05:00)"},
		{"Europe/Kaliningrad", "01.02.2026 00:30 (местное время, UTC+02:00)"},
		{"", "01.02.2026 01:30 (местное время, UTC+03:00)"},
		{"Mars/Olympus", "01.02.2026 01:30 (местное время, UTC+03:00)"},
	} {
		if got := LocalTime(at, register.OfficeCard{TimeZone: c.zone}, "ru"); got != c.want {
			t.Errorf("%q: %q, want %q", c.zone, got, c.want)
		}
	}
}

// tool returns the path of a command the test needs, skipping without it (failing under CI=true).
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (%s) required under CI=true", name, pkg)
		}
		t.Skipf("%s not installed (%s)", name, pkg)
	}
	return bin
}

// PDFText returns the text of a PDF, read back with pdftotext.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := tool(t, "pdftotext", "poppler-utils")
	f := filepath.Join(t.TempDir(), "x.pdf")
	os.WriteFile(f, pdf, 0o600)
	out, err := exec.Command(bin, "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// pdfQR renders the first page of a PDF with pdftoppm and decodes its QR code with zbarimg.
func pdfQR(t *testing.T, pdf []byte) string {
	t.Helper()
	ppm, zbar := tool(t, "pdftoppm", "poppler-utils"), tool(t, "zbarimg", "zbar-tools")
	dir := t.TempDir()
	f := filepath.Join(dir, "x.pdf")
	os.WriteFile(f, pdf, 0o600)
	if out, err := exec.Command(ppm, "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", f, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command(zbar, "--raw", "-q", "-Sbinary", filepath.Join(dir, "page.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg found no code: %v", err)
	}
	return strings.TrimRight(string(out), "\n")
}

// REG-9: the PDF reads back with the office's full name and address, the officer's name and
// position and the local time of issue, and its QR code decodes to the verification address.
func TestPDF(t *testing.T) {
	var b bytes.Buffer
	if err := PDF(&b, sample(), "ru", Options{VerifyURL: sampleURL, Signer: "Выписки из ЕГРН (1A2B)"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	text := strings.Join(strings.Fields(pdfText(t, b.Bytes())), " ")
	for _, want := range []string{"526317984689", "Ёлкина", "Выписка", "2026-0000042-7K3QX9PD", "Инспекция Федеральной налоговой службы № 63 по Нижегородской области",
		"603001, Нижегородская область", "Иванова Анна Сергеевна", "Главный государственный налоговый инспектор", "22.11.2026 13:00 (местное время, UTC+03:00)",
		"подписана электронной подписью", sampleURL} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	if got := pdfQR(t, b.Bytes()); got != sampleURL {
		t.Fatalf("QR code: %q, want %q", got, sampleURL)
	}
	// Unsigned, in English.
	b.Reset()
	if err := PDF(&b, sample(), "en", Options{VerifyURL: sampleURL}); err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(strings.Fields(pdfText(t, b.Bytes())), " "); !strings.Contains(text, "issued without an electronic signature") || !strings.Contains(text, "Position") {
		t.Errorf("unsigned English PDF:\n%s", text)
	}
}

func TestQRPNG(t *testing.T) {
	png, err := QRPNG(sampleURL)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("%v", err)
	}
	f := filepath.Join(t.TempDir(), "qr.png")
	os.WriteFile(f, png, 0o600)
	out, err := exec.Command(tool(t, "zbarimg", "zbar-tools"), "--raw", "-q", "-Sbinary", f).Output()
	if err != nil || strings.TrimRight(string(out), "\n") != sampleURL {
		t.Fatalf("zbarimg: %q %v", out, err)
	}
}

// KG, REG-9: an extract of the Kyrgyz register prints the Kyrgyz letters (Ң ң Ө ө Ү ү), which
// the Go fonts lack, exactly as they are: the PDF is set in PT Sans (package fonts), and
// pdftotext reads the name, the organization and the УГНС back letter for letter. The time of
// issue is Bishkek's (UTC+6).
func TestPDFKyrgyzLetters(t *testing.T) {
	e := sample()
	e.Office = register.OfficeCard{Office: register.Office{Code: "002", Name: "УГНС по Ленинскому району г. Бишкек", Region: "11"},
		FullName: "Управление Государственной налоговой службы по Ленинскому району г. Бишкек", Address: "Кыргызская Республика, г. Бишкек",
		TimeZone: "Asia/Bishkek", Texts: map[string]register.OfficeText{"ky": {Name: "Бишкек шаарынын Ленин району боюнча УГНС",
			FullName: "Мамлекеттик салык кызматынын Бишкек шаарынын Ленин району боюнча башкармалыгы", Address: "Кыргыз Республикасы, Бишкек шаары"}}}
	e.IssuedBy = "Асанова Айгүл Маратовна"
	e.Taxpayer.TIN, e.Taxpayer.TaxOffice = "21505199012345", "002"
	e.Taxpayer.Person = &register.Person{Surname: "Үсөнбаев", GivenName: "Жеңиш", Patronymic: "Өмүрбекович",
		BirthDate: time.Date(1990, 5, 15, 0, 0, 0, 0, time.UTC), BirthPlace: "с. Көчкөр, ЖАҢЫ-ЖОЛ"}
	for _, lang := range []string{"ru", "en", "ky"} {
		var b bytes.Buffer
		if err := PDF(&b, e, lang, Options{VerifyURL: sampleURL}); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(pdfText(t, b.Bytes())), " ")
		office := "Управление Государственной налоговой службы по Ленинскому району г. Бишкек" // the УГНС in Kyrgyz in a Kyrgyz extract
		if lang == "ky" {
			office = "Мамлекеттик салык кызматынын Бишкек шаарынын Ленин району боюнча башкармалыгы"
		}
		for _, want := range []string{"Үсөнбаев Жеңиш Өмүрбекович", "с. Көчкөр, ЖАҢЫ-ЖОЛ", "21505199012345", "Асанова Айгүл Маратовна",
			office, "22.11.2026 16:00"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the PDF text lacks %q:\n%s", lang, want, text)
			}
		}
		for _, r := range "ҢңӨөҮү" {
			if !strings.ContainsRune(text, r) {
				t.Errorf("%s: no %c in the PDF text", lang, r)
			}
		}
		// pdftotext reads a letter back even when the font drew a blank box for it (the text
		// layer maps it anyway): the fonts embedded in the PDF must have a glyph for each.
		for r, ok := range embeddedGlyphs(t, b.Bytes(), "ҢңӨөҮү") {
			if !ok {
				t.Errorf("%s: no glyph for %c in the fonts embedded in the PDF", lang, r)
			}
		}
	}
}

// embeddedGlyphs reports, for each rune, whether a TrueType font embedded in the PDF (a
// FontFile2 stream, as package fpdf writes it: deflated, its length before in /Length1) maps it
// to a glyph other than .notdef.
func embeddedGlyphs(t *testing.T, pdf []byte, runes string) map[rune]bool {
	t.Helper()
	out := map[rune]bool{}
	for _, r := range runes {
		out[r] = false
	}
	fontFile := regexp.MustCompile(`(?s)<<[^>]*?/Length1[^>]*?>>\s*stream\r?\n`)
	fonts := 0
	for _, m := range fontFile.FindAllIndex(pdf, -1) {
		end := bytes.Index(pdf[m[1]:], []byte("endstream"))
		if end < 0 {
			t.Fatal("a font stream without its end")
		}
		zr, err := zlib.NewReader(bytes.NewReader(pdf[m[1] : m[1]+end]))
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		f, err := sfnt.Parse(data)
		if err != nil {
			t.Fatalf("an embedded font: %v", err)
		}
		fonts++
		var buf sfnt.Buffer
		for r := range out {
			if g, err := f.GlyphIndex(&buf, r); err == nil && g != 0 {
				out[r] = true
			}
		}
	}
	if fonts == 0 {
		t.Fatal("no TrueType font embedded in the PDF")
	}
	return out
}

// KG (issue 14), REG-9: an extract of the Kyrgyz register is titled and worded as that
// jurisdiction's (Profile: the State Tax Service's register), never after the Russian ЕГРН, in
// every language, on the page as in the PDF; the Russian one keeps its title; the notice of who
// acts for whom (LK-8) is on the page only, and not printed.
func TestJurisdictionWording(t *testing.T) {
	kg, ru := jurisdiction.MustLookup(jurisdiction.KG), jurisdiction.MustLookup(jurisdiction.RU)
	for _, c := range []struct {
		p           jurisdiction.Profile
		lang, title string
	}{
		{kg, "ru", "Выписка из реестра налогоплательщиков Государственной налоговой службы при Министерстве финансов Кыргызской Республики"},
		{kg, "ky", "Кыргыз Республикасынын Финансы министрлигине караштуу Мамлекеттик салык кызматынын салык төлөөчүлөр реестринен көчүрмө"},
		{kg, "en", "Extract from the register of taxpayers of the State Tax Service under the Ministry of Finance of the Kyrgyz Republic"},
		{ru, "ru", "Выписка из Единого государственного реестра налогоплательщиков"},
		{jurisdiction.Profile{}, "en", "Extract from the Unified State Register of Taxpayers"},
	} {
		d := Layout(sample(), c.lang, Options{Profile: c.p})
		if d.Title != c.title {
			t.Errorf("%s %s: title %q, want %q", c.p.Code, c.lang, d.Title, c.title)
		}
		if c.p.Code == jurisdiction.KG && (strings.Contains(d.Title+d.Subtitle, "Единого государственного") || strings.Contains(d.Title+d.Subtitle, "Unified State") ||
			strings.Contains(d.Title+d.Subtitle, "бирдиктүү")) {
			t.Errorf("kg %s: worded after the Russian register: %q %q", c.lang, d.Title, d.Subtitle)
		}
		var page bytes.Buffer
		if err := HTML(&page, sample(), c.lang, Options{Profile: c.p, Notice: "Белова Ольга действует от имени: Белова Нина"}); err != nil {
			t.Fatal(err)
		}
		s := html.UnescapeString(page.String())
		if !strings.Contains(s, "<h1>"+c.title+"</h1>") || !strings.Contains(s, `<p class="notice" id="acting" role="note">Белова Ольга действует от имени: Белова Нина</p>`) {
			t.Errorf("%s %s: the page:\n%s", c.p.Code, c.lang, s)
		}
		if c.lang == "ky" || c.p.Code != jurisdiction.KG {
			continue
		}
		var pdf bytes.Buffer
		if err := PDF(&pdf, sample(), c.lang, Options{Profile: c.p, Notice: "not printed"}); err != nil {
			t.Fatal(err)
		}
		if txt := strings.Join(strings.Fields(pdfText(t, pdf.Bytes())), " "); txt != "" && (!strings.Contains(txt, strings.Fields(c.title)[0]) ||
			strings.Contains(txt, "Единого государственного") || strings.Contains(txt, "not printed")) {
			t.Errorf("kg %s: the PDF: %s", c.lang, txt)
		}
	}
	// No page without a notice has one.
	var b bytes.Buffer
	if err := HTML(&b, sample(), "ru", Options{}); err != nil || strings.Contains(b.String(), `id="acting"`) {
		t.Errorf("a notice without one: %v", err)
	}
}

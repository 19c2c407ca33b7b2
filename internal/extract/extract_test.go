package extract

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/register"
)

func sample() *register.Extract {
	return &register.Extract{Number: "7736-000042", IssuedAt: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), IssuedBy: "ivanova",
		Taxpayer: &register.Taxpayer{TIN: "526317984689", Kind: register.KindPerson, Status: register.StatusActive, TaxOffice: "5263",
			RegisteredOn: time.Date(2001, 3, 1, 0, 0, 0, 0, time.UTC),
			Person:       &register.Person{Surname: "Ёлкина", GivenName: "Анна", Patronymic: "Сергеевна", BirthDate: time.Date(1980, 5, 17, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Нижний Новгород"}}}
}

func TestHTML(t *testing.T) {
	for _, lang := range []string{"ru", "en"} {
		var b bytes.Buffer
		if err := HTML(&b, sample(), lang); err != nil {
			t.Fatal(err)
		}
		s := b.String()
		if !strings.Contains(s, "526317984689") || !strings.Contains(s, "Ёлкина Анна Сергеевна") || !strings.Contains(s, "7736-000042") {
			t.Fatalf("%s: %s", lang, s)
		}
		if lang == "en" && !strings.Contains(s, "Extract from the Unified State Register of Taxpayers") {
			t.Fatal("English title missing")
		}
		if lang == "ru" && !strings.Contains(s, "Выписка из Единого государственного реестра налогоплательщиков") {
			t.Fatal("Russian title missing")
		}
	}
	// Values are escaped.
	e := sample()
	e.Taxpayer.Person.BirthPlace = "<script>x</script>"
	var b bytes.Buffer
	HTML(&b, e, "ru")
	if strings.Contains(b.String(), "<script>x") {
		t.Fatal("not escaped")
	}
}

func TestPDF(t *testing.T) {
	var b bytes.Buffer
	if err := PDF(&b, sample(), "ru"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) required under CI=true")
		}
		t.Skip("pdftotext not installed")
	}
	f := filepath.Join(t.TempDir(), "x.pdf")
	os.WriteFile(f, b.Bytes(), 0o600)
	out, err := exec.Command(bin, "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"526317984689", "Ёлкина", "Выписка", "7736-000042"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
}

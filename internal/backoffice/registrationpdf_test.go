package backoffice

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
)

// KG-1: the login handed over is printed in the applicant's language in PT Sans, whose letters
// pdftotext reads back — Kyrgyz ones (Ң Ө Ү) too.
func TestHandoverPDF(t *testing.T) {
	r := &cabinet.Registration{Seq: 7, Type: cabinet.LegalEntity, TIN: "21505199012345", Name: "Үсөнбаев Жеңиш Өмүрбекович", Office: "002",
		OrgTIN: "02507199510010", OrgName: "ОсОО «Жаңы Таң»", Role: "head", Lang: "ky", State: cabinet.AppApproved,
		CreatedAt: time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC), DecidedAt: time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC)}
	for _, lang := range []string{"ky", "ru", "en"} {
		h := handover{R: r, OfficeName: "УГНС по Ленинскому району г. Бишкек", Decided: "03.12.2026", LoginURL: "https://cabinet.example.kg/lk/login",
			IssuedBy: "Асанова Айгүл Маратовна", Lang: lang}
		var b bytes.Buffer
		if err := HandoverPDF(&b, h); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("%PDF")) {
			t.Fatalf("%s: not a PDF", lang)
		}
		bin, err := exec.LookPath("pdftotext")
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("pdftotext required under CI=true (scripts/install-test-deps.sh: poppler-utils)")
			}
			continue
		}
		f := filepath.Join(t.TempDir(), "login.pdf")
		os.WriteFile(f, b.Bytes(), 0o600)
		out, err := exec.Command(bin, f, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		txt := strings.Join(strings.Fields(string(out)), " ")
		for _, want := range []string{"02507199510010", "Үсөнбаев Жеңиш Өмүрбекович", "ОсОО «Жаңы Таң»", "2026-000007", "https://cabinet.example.kg/lk/login"} {
			if !strings.Contains(txt, want) {
				t.Errorf("%s: the PDF lacks %q: %s", lang, want, txt)
			}
		}
		if want := map[string]string{"ky": "Салык төлөөчүнүн кабинетине кирүү укугу", "ru": "Доступ к кабинету налогоплательщика",
			"en": "Access to the taxpayer cabinet"}[lang]; !strings.Contains(txt, want) {
			t.Errorf("%s: %s", lang, txt)
		}
		if testing.Verbose() {
			t.Logf("%s: %s", lang, txt)
		}
	}
}

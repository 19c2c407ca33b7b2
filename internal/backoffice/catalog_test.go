package backoffice

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
)

// Every message key the templates use exists, with Russian and English texts; every status,
// kind and reason the register can produce has a label.
func TestCatalogCoversTemplates(t *testing.T) {
	cat := web.Merge(web.Common, catalog)
	re := regexp.MustCompile(`\.T "([a-z_.]+)"`)
	fs.WalkDir(templates, ".", func(path string, d fs.DirEntry, err error) error {
		if d.IsDir() {
			return nil
		}
		b, _ := fs.ReadFile(templates, path)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			v, ok := cat[m[1]]
			if !ok || v[0] == "" || v[1] == "" {
				t.Errorf("%s: key %q lacks a Russian or English text", path, m[1])
			}
		}
		return nil
	})
	for _, k := range []string{"k." + string(register.KindPerson), "k." + string(register.KindOrganization), "k." + string(register.KindForeign),
		"s.active", "s.deregistered", "s.not_applied", "r.death", "r.liquidation", "r.reorganization", "r.redomiciled", "r.duplicate", "r.moved", "r.other",
		"kg.location", "kg.new_location", "kg.subdivision", "kg.property", "kg.other", "f.male", "f.female"} {
		if _, ok := cat[k]; !ok {
			t.Errorf("no label for %q", k)
		}
	}
	for k, v := range cat {
		if v[0] == "" || v[1] == "" {
			t.Errorf("%q lacks a text", k)
		}
	}
}

func TestTemplatesParse(t *testing.T) {
	New(Deps{})
}

package idweb

import (
	"cmp"
	"slices"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
)

// The citizenship of a profile (IDP-3) is chosen from ОКСМ, the classifier of the world's
// countries that the register keeps, by the country's name in the page's language — nobody is
// asked to know a country's code. The citizenship of a Russian citizen's account comes first;
// the rest follow in the language's alphabetical order (Ё beside Е, Åland among the A).

// russia is the citizenship of a Russian citizen's account (identity.RussianCitizen).
const russia = "RUS"

// citizenships are the choices of a citizenship, made once per language: ОКСМ is read from the
// register's reference data, which a deployment completes before the server starts.
type citizenships struct {
	countries func() []register.Country
	mu        sync.Mutex
	byLang    map[string][]web.Option
}

// options returns the choices in lang (nil without ОКСМ).
func (c *citizenships) options(lang string) []web.Option {
	if c == nil || c.countries == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if opts, ok := c.byLang[lang]; ok {
		return opts
	}
	all := c.countries()
	names := make([]string, len(all))
	for i, k := range all {
		names[i] = k.In(lang)
	}
	col := collate.New(language.Make(lang), collate.Loose)
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	rank := func(i int) int {
		if all[i].Alpha3 == russia {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if r := cmp.Compare(rank(a), rank(b)); r != 0 {
			return r
		}
		return col.CompareString(names[a], names[b])
	})
	opts := make([]web.Option, len(order))
	for i, j := range order {
		opts[i] = web.Option{Value: all[j].Alpha3, Label: names[j]}
	}
	if c.byLang == nil {
		c.byLang = map[string][]web.Option{}
	}
	c.byLang[lang] = opts
	return opts
}

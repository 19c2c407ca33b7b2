//go:build ignore

// gen_common writes common_passwords.txt: the passwords people choose most, made from the
// patterns they follow — digit runs, keyboard walks on the Latin and the Russian layout typed in
// Latin letters, common words in English and in Russian transliteration, names, and each of
// them with the digits, years and signs people add, in lower case (the check ignores case).
// kabinet refuses them (IDP-1). It is made by
// this program, not taken from a leak: run `go run gen_common.go` here to make it again.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
)

var words = strings.Fields(`password passw0rd pass qwerty qwertz azerty admin administrator root user login welcome letmein
monkey dragon master shadow sunshine princess football baseball soccer hockey superman batman iloveyou trustno1 freedom
whatever starwars computer internet secret access hello charlie michael jennifer jordan hunter ranger buster thomas robert
daniel andrew joshua matthew george summer winter spring autumn flower lovely angel cookie chocolate banana orange apple
cheese pepper ginger tigger killer maggie ashley bailey silver golden diamond purple yellow
parol parol1 privet lubov lyubov solnce solnyshko kotik zaika rybka malysh krasotka lapochka nastya natasha masha dasha
katya olya lena sveta tanya ira ksyusha sasha dima misha sergey andrey alexey vladimir ivan nikita artem maksim denis
roman pavel oleg igor anton moskva rossiya russia piter sankt zenit spartak dinamo cska lokomotiv kazan ekaterinburg
novosibirsk nalog gosuslugi kabinet lichnyi nalogovaya inspektor bukhgalter buhgalter direktor
`)

var walks = strings.Fields(`qwerty qwertyuiop asdfgh asdfghjkl zxcvbn zxcvbnm qazwsx qazwsxedc 1qaz2wsx 1q2w3e 1q2w3e4r 1q2w3e4r5t
zaq1xsw2 q1w2e3r4 qwe123 asd123 zxc123 123qwe 123asd qweasd qweasdzxc
jcuken ytcnjnjr ghbdtn gfhjkm rjnbr qwertyuio`)

var suffixes = []string{"", "1", "12", "123", "1234", "12345", "!", "1!", "123!", "@", "#", "01", "007", "69", "777", "666", "111", "321"}

func main() {
	set := map[string]bool{}
	add := func(s string) {
		if len(s) >= 4 {
			set[s] = true
		}
	}
	for n := 4; n <= 12; n++ {
		var up, down strings.Builder
		for i := 0; i < n; i++ {
			up.WriteByte(byte('0' + (i+1)%10))
			down.WriteByte(byte('0' + (9-i%10+10)%10))
		}
		add(up.String())
		add(down.String())
		for d := '0'; d <= '9'; d++ {
			add(strings.Repeat(string(d), n))
		}
	}
	for _, p := range []string{"123123", "121212", "112233", "123321", "654321", "159753", "147258", "147258369", "0987654321", "13579", "24680"} {
		add(p)
	}
	for _, w := range append(words, walks...) {
		for _, base := range []string{w} { // kept in lower case: the check ignores case
			for _, s := range suffixes {
				add(base + s)
			}
			for y := 1950; y <= 2030; y++ {
				add(fmt.Sprint(base, y))
				add(fmt.Sprint(base, y%100))
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	f, err := os.Create("common_passwords.txt")
	if err != nil {
		panic(err)
	}
	w := bufio.NewWriter(f)
	for _, s := range out {
		w.WriteString(s + "\n")
	}
	w.Flush()
	f.Close()
	fmt.Println(len(out), "passwords")
}

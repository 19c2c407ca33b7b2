//go:build ignore

// gen_common writes common_passwords.txt, the list of passwords kabinet refuses (IDP-1). It is
// not a list of the passwords people actually chose (no such list is available to kabinet with a
// licence that allows shipping it); it is generated here from the patterns the most common
// passwords follow: runs of digits up and down from any digit, repeated digits and repeated
// groups (123123123, 12341234), a letter or two before digits (a123456, aa123456), keyboard
// walks on the Latin layout (qwerty, qwertyui, zaq12wsx, 1qaz2wsx, asdf1234, 1234qwer,
// q1w2e3r4t5), the Russian layout typed in Latin letters (ghbdtn is «привет») and in Cyrillic
// (йцукенгш, фывапролдж), common words and names in English, in Russian transliteration and in
// Cyrillic (пароль, привет), and each of those with the digits, years and signs people add — in
// lower case, since the check ignores case. Run `go run gen_common.go` in this directory to make
// it again; the list and this program are kabinet's own work (see COMMON_PASSWORDS.md).
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

var walks = strings.Fields(`qwerty qwertyu qwertyui qwertyuio qwertyuiop asdf asdfg asdfgh asdfghj asdfghjk asdfghjkl zxcv zxcvb
zxcvbn zxcvbnm qazwsx qazwsxedc qazxsw qwaszx 1qaz2wsx 1qaz2wsx3edc zaq12wsx zaq1zaq1 !qaz2wsx 1q2w3e 1q2w3e4r 1q2w3e4r5t
1q2w3e4r5t6y q1w2e3 q1w2e3r4 q1w2e3r4t5 zaq1xsw2 qwe123 asd123 zxc123 123qwe 123asd 123zxc qweasd qweasdzxc qwer1234
1234qwer asdf1234 1234asdf zxcv1234 qweqwe asdasd zxczxc qwerasdf asdfqwer
jcuken ytcnjnjr ghbdtn gfhjkm rjnbr qwertyuio`)

// cyrillic are words and keyboard walks typed on the Russian layout.
var cyrillic = strings.Fields(`йцукен йцукенг йцукенгш йцукенгшщз фывапр фывапро фывапрол фывапролд фывапролдж ячсмит ячсмить
пароль привет любовь солнышко солнце котик зайка рыбка малыш наташа маша даша катя лена света таня саша дима миша сергей
андрей алексей владимир иван никита максим москва россия спартак зенит налог госуслуги кабинет`)

// repeats are the groups people type again and again.
var repeats = strings.Fields(`12 123 1234 12345 321 4321 21 112 1122 007 69 77 99 00 11 22 33 abc qwe asd zxc`)

var suffixes = []string{"", "1", "12", "123", "1234", "12345", "!", "1!", "123!", "@", "#", "01", "007", "69", "777", "666", "111", "321"}

func main() {
	set := map[string]bool{}
	add := func(s string) {
		if len(s) >= 4 {
			set[s] = true
		}
	}
	var digits []string
	for n := 4; n <= 12; n++ {
		for start := 0; start <= 9; start++ {
			var up, down strings.Builder
			for i := 0; i < n; i++ {
				up.WriteByte(byte('0' + (start+i)%10))
				down.WriteByte(byte('0' + (start-i%10+10)%10))
			}
			add(up.String())
			add(down.String())
			if start == 1 {
				digits = append(digits, up.String())
			}
		}
		for d := '0'; d <= '9'; d++ {
			add(strings.Repeat(string(d), n))
		}
	}
	for _, p := range []string{"123123", "121212", "112233", "123321", "654321", "159753", "147258", "147258369", "0987654321", "13579", "24680",
		"11223344", "12344321", "1234554321", "1q1q1q1q", "a1b2c3d4", "159357", "147852", "147852369", "789456123", "741852963", "963852741"} {
		add(p)
	}
	for _, r := range repeats {
		for n := 2; n <= 4; n++ {
			add(strings.Repeat(r, n))
		}
	}
	// A letter or two before or after a run of digits: a123456, aa123456, 123456a.
	for l := 'a'; l <= 'z'; l++ {
		for _, d := range digits {
			if len(d) >= 5 && len(d) <= 9 {
				add(string(l) + d)
				add(string(l) + string(l) + d)
				add(d + string(l))
			}
		}
	}
	for _, w := range append(append(words, walks...), cyrillic...) {
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

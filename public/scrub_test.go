package public

import "testing"

func TestScrubTextMasksPhoneAndIDNumbersButKeepsNamesAndShortNumbers(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"PlainNameUnchanged", "福州海峡食品加工厂", "福州海峡食品加工厂"},
		{"MobileMasked", "联系电话 13807551234", "联系电话 ***********"},
		{"SpacedMobileMasked", "139 1234 5678", "*************"},
		{"MobileWithCountryCodeAndHyphensMasked", "+86 138-0755-1234", "*****************"},
		{"IDNumberMasked", "350102198001010013", "******************"},
		{"IDNumberWithCheckXMasked", "身份证 35010219800101001X", "身份证 ******************"},
		{"IDNumberWithLowerCheckXMasked", "35010219800101001x", "******************"},
		{"SevenDigitsMasked", "Lot 1234567", "Lot *******"},
		{"SixDigitsKept", "批号 123456", "批号 123456"},
		{"TrailingSeparatorKept", "电话 13807551234 / 备注", "电话 *********** / 备注"},
		{"TwoNumbersBothMasked", "13807551234 / 139 1234 5678 身份证 350102198001010013",
			"*********** / ************* 身份证 ******************"},
		{"LetterXOutsideIDKept", "Box 12x3", "Box 12x3"},
		{"Empty", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := scrubText(c.in); got != c.want {
				t.Errorf("scrubText(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestPersonalRunFindsMobileAndIDNumbersOnly(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		want bool
	}{
		{"Mobile", "13807551234", true},
		{"MobileInsideText", "L13807551234A", true},
		{"ElevenDigitsNotStartingWithOne", "23807551234", false},
		{"TenDigits", "1380755123", false},
		{"SpacedMobileIsNotOneRun", "138 0755 1234", false},
		{"IDNumber18", "350102198001010013", true},
		{"IDNumberWithCheckX", "35010219800101001X", true},
		{"IDNumberWithLowerCheckX", "35010219800101001x", true},
		{"OldIDNumber15", "350102800101001", true},
		{"SixteenDigits", "1234567890123456", false},
		{"OrdinaryLot", "L26060001", false},
		{"Empty", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := personalRun(c.in); got != c.want {
				t.Errorf("personalRun(%q) = %v, want %v", c.in, got, c.want)
			}
		})
	}
}

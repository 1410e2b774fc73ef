package label

import (
	"net/url"
	"strings"

	"github.com/zhuisu/zhuisu/codes"
)

// ForCode makes the label of a parsed code for a node whose public lookup is served at
// publicURL (e.g. "https://trace.example.gov.cn"). A GS1 code's QR carries its Digital
// Link on that host (GS1 Digital Link allows any domain, and a phone that scans it lands
// on the public page) and its DataMatrix the element string; any other scheme's QR
// carries the node's code path publicURL/code/{scheme}/{value}, and it has no DataMatrix.
func ForCode(c *codes.Code, publicURL string) (Label, error) {
	base := strings.TrimSuffix(publicURL, "/")
	l := Label{Text: []string{c.Human}}
	if c.SchemeName != "" {
		l.Text = append(l.Text, c.SchemeName)
	}
	if path, ok := strings.CutPrefix(c.Canonical, codes.CanonicalDLStem); ok {
		dl, err := codes.ParseDigitalLink(c.Canonical)
		if err != nil {
			return Label{}, err
		}
		l.URI = base + path
		l.Element = codes.FormatScanElementString(dl.Elements())
		return l, nil
	}
	value := c.Input
	if parts := strings.Split(c.Canonical, ":"); len(parts) > 0 && strings.HasPrefix(c.Canonical, "urn:zhuisu:code:") {
		value = parts[len(parts)-1]
	}
	l.URI = base + "/code/" + url.PathEscape(c.Scheme) + "/" + url.PathEscape(value)
	return l, nil
}

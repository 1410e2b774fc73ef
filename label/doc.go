// Package label renders trace-code labels that enterprises print and stick
// on products.
//
// A [Label] carries a URI (a GS1 Digital Link URI or a sector trace URL)
// that is drawn as a QR code, an optional GS1 element string that is drawn
// as a GS1 DataMatrix beside it, and human-readable lines under the two
// symbols (Chinese allowed). Three outputs are offered:
//
//   - [PNG]: one label as a raster image, scale pixels per module;
//   - [SVG]: one label as vector graphics, the symbols as <rect> elements
//     and the lines as XML-escaped <text> elements;
//   - [PDF]: many labels laid out in a grid on A4 (or other) sheets, the
//     symbols as vector rectangles and the text in an embedded TrueType font.
//
// The package is pure: it does no network or database I/O. The only files it
// reads are fonts.
//
// # Symbols
//
// QR codes use error-correction level M and byte mode for non-alphanumeric
// content; a URI with Chinese characters is carried as UTF-8 bytes without an
// ECI header (github.com/boombuler/barcode does not write ECI, and phone
// readers assume UTF-8 for URLs).
//
// GS1 DataMatrix (ECC 200) must start with FNC1 (codeword 232) and use FNC1
// as the separator after a variable-length element string that is not last.
// github.com/boombuler/barcode v1.1.0 supports this: its encoder switches to
// GS1 mode when the content's first byte is 232 (datamatrix.FNC1) and then
// emits every further 232 byte as the FNC1 codeword, while still packing
// digit pairs as 130+pair and other ASCII characters as c+1. So this package
// does not write its own ECC 200 encoder; it converts the element string
// (ASCII, GS = 0x1D as separator) into that form - a leading FNC1 byte and
// every GS replaced by FNC1 - and lets the library do ASCII encodation,
// padding, Reed-Solomon (GF(256), polynomial 301) and module placement.
// The tests decode the rendered symbols with an independent reader (ZXing's
// Go port) and check the raw codewords (232 first, 232 as separator) as
// well as the text, and compare every symbol size up to 132×132 bit for bit
// with one built by ZXing's Reed-Solomon and placement code. The 144×144
// size is refused: the library interleaves its error-correction codewords
// in plain block order instead of continuing the data's round robin as
// ISO/IEC 16022 requires, and ZXing's reader rejects it. GS1 element
// strings are far shorter than that size needs.
//
// # Fonts
//
// Chinese text needs a CJK font with TrueType outlines. [FindCJKFont] looks
// in the usual places, first Debian's fonts-wqy-microhei
// (/usr/share/fonts/truetype/wqy/wqy-microhei.ttc). TrueType collections
// (.ttc) are fine: the first face is used, and for the PDF writer (which
// cannot read collections) it is extracted into a standalone .ttf in memory.
// CFF-outline OpenType fonts (.otf, Noto CJK) are not usable by the PDF
// writer and are skipped.
//
// Without a CJK font:
//   - [PNG] still renders: it uses the built-in Go font, which covers Latin,
//     Greek and Cyrillic, and draws '?' for characters that no font has;
//   - [SVG] is unaffected: it names font families and leaves the choice of
//     font to the viewer or printer;
//   - [PDF] renders ASCII-only text with the PDF core font Helvetica and
//     returns [ErrNoCJKFont] when any line has non-ASCII characters, unless
//     [Sheet].FontPath names a usable TrueType font.
package label

package web_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browser starts a headless Chromium with a fresh profile and no background networking.
// Without Chromium the test is skipped, unless ZHUISU_BROWSER=1 (as in CI), where that is
// a failure.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("ZHUISU_CHROMIUM")
	if path == "" {
		for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if found, err := exec.LookPath(p); err == nil {
				path = found
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("ZHUISU_BROWSER") == "1" {
			t.Fatal("ZHUISU_BROWSER=1 but no Chromium found (install chromium, or set ZHUISU_CHROMIUM)")
		}
		t.Skip("no Chromium: set ZHUISU_BROWSER=1 to make this a failure")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("dns-prefetch-disable", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

func TestPhoneSeesProductChainBadgeAndRecallInBothLanguages(t *testing.T) {
	ctx := browser(t)
	s := newSite(t, 3, generous, nil)
	story := s.stories[0]
	s.recallLot(t, story, "抽检不合格 failed inspection")
	base, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}

	// Every request the page makes is noted, to show it never leaves the server.
	var mu sync.Mutex
	var requests []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}

	page := s.URL + pathOf(soldUnit(story))
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
		chromedp.Navigate(page),
		chromedp.WaitVisible("#product-name"),
		// The page checks the proof itself, in plain JavaScript.
		chromedp.WaitVisible("#verify-result.good"),
	)
	if err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return v
	}
	if name := text("#product-name"); !strings.Contains(name, "(精包装)") {
		t.Errorf("product %q", name)
	}
	if p := text("#producer"); p == "" {
		t.Errorf("no producer")
	}
	chain := text("#chain")
	for _, stage := range []string{"采收", "加工", "发货", "零售"} {
		if !strings.Contains(chain, stage) {
			t.Errorf("chain lacks %s: %q", stage, chain)
		}
	}
	if badge := text("#badge"); !strings.Contains(badge, "已验证") {
		t.Errorf("badge %q", badge)
	}
	if r := text("#verify-result"); !strings.Contains(r, "本浏览器已独立校验") {
		t.Errorf("browser check %q", r)
	}
	if w := text(".warn-recall"); !strings.Contains(w, "召回") || !strings.Contains(w, "抽检不合格") {
		t.Errorf("recall warning %q", w)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("ZHUISU_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.WriteFile(filepath.Join(dir, "public-page-zh.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}

	// Switch language.
	if err := chromedp.Do(ctx, chromedp.Click("#lang-switch"), chromedp.WaitVisible("#verify-result.good")); err != nil {
		t.Fatal(err)
	}
	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang"))
	if err != nil {
		t.Fatal(err)
	}
	if lang != "en" || !strings.Contains(text("#chain"), "Harvest") || !strings.Contains(text(".warn-recall"), "Recall") || !strings.Contains(text("#badge"), "Verified") {
		t.Errorf("after the switch: lang %q chain %q", lang, text("#chain"))
	}
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "public-page-en.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}

	// The in-page check must fail on a tampered proof, or its success means nothing.
	tampered, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(async function () {
		var box = document.getElementById("integrity");
		var p = await (await fetch(box.dataset.proof)).json();
		var out = [window.zhuisuVerifyProof(p)];
		var q = JSON.parse(JSON.stringify(p)); q.leafIndex = (q.leafIndex + 1) % q.treeSize; out.push(window.zhuisuVerifyProof(q));
		q = JSON.parse(JSON.stringify(p)); q.entry = btoa("x".repeat(32)); out.push(window.zhuisuVerifyProof(q));
		q = JSON.parse(JSON.stringify(p)); if (q.inclusion.length) { q.inclusion[0] = q.rootHash; } out.push(window.zhuisuVerifyProof(q));
		return out;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(tampered) != 4 || tampered[0] != "" || tampered[1] == "" || tampered[2] == "" || tampered[3] == "" {
		t.Errorf("in-page verification of the real and tampered proofs: %q, want success then three failures", tampered)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(requests) < 4 {
		t.Fatalf("only %d requests seen: the listener does not work", len(requests))
	}
	for _, r := range requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Host != base.Host) {
			t.Errorf("the page requested %s, outside the server", r)
		}
	}
}

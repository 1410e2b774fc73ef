package main

import (
	"flag"
	"log/slog"
	"strconv"

	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/public"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/trace"
	"github.com/zhuisu/zhuisu/web"
)

// pagesConfig configures the public lookup and the pages (docs/public.md).
type pagesConfig struct {
	Web    web.Config
	Public public.Config
}

// pagesFlags registers the flags of the public lookup.
func pagesFlags(fs *flag.FlagSet, c *Config) {
	p := &c.Pages
	p.Web, p.Public = web.DefaultConfig, public.DefaultConfig
	fs.Float64Var(&p.Web.Rate, "public-rate", envFloat("ZHUISU_PUBLIC_RATE", p.Web.Rate), "requests a second each client may make to the public pages, on average (ZHUISU_PUBLIC_RATE)")
	fs.IntVar(&p.Web.Burst, "public-burst", int(envInt("ZHUISU_PUBLIC_BURST", int64(p.Web.Burst))), "requests a client may make to the public pages at once (ZHUISU_PUBLIC_BURST)")
	fs.BoolVar(&p.Web.TrustProxy, "trust-proxy", envDefault("ZHUISU_TRUST_PROXY", "") == "true", "take the client address from X-Forwarded-For, behind a proxy that sets it (ZHUISU_TRUST_PROXY=true)")
	fs.DurationVar(&p.Public.CacheTTL, "public-cache-ttl", envDuration("ZHUISU_PUBLIC_CACHE_TTL", p.Public.CacheTTL), "how long an assembled public view is served before it is rebuilt (ZHUISU_PUBLIC_CACHE_TTL)")
	fs.DurationVar(&p.Public.ScanWindow, "clone-window", envDuration("ZHUISU_CLONE_WINDOW", p.Public.ScanWindow), "the period the possible-copy warning counts a unit's scans over (ZHUISU_CLONE_WINDOW)")
	fs.Int64Var(&p.Public.CloneAreas, "clone-areas", envInt("ZHUISU_CLONE_AREAS", p.Public.CloneAreas), "distinct areas a unit may be scanned from within the window before it is flagged as a possible copy (ZHUISU_CLONE_AREAS)")
	fs.Int64Var(&p.Public.CloneScans, "clone-scans", envInt("ZHUISU_CLONE_SCANS", p.Public.CloneScans), "scans of one unit within the window above which it is flagged as a possible copy (ZHUISU_CLONE_SCANS)")
}

// envFloat reads a float environment variable, or def.
func envFloat(name string, def float64) float64 {
	v, err := strconv.ParseFloat(envDefault(name, ""), 64)
	if err != nil {
		return def
	}
	return v
}

// pagesOf builds the public lookup service and the pages' handler.
func pagesOf(c *Config, st store.Store, tr *trace.Service, in *integrity.Service, publicURL string, log *slog.Logger) (*public.Service, *web.Handler, error) {
	pub := public.New(st, tr, in, c.Pages.Public)
	wc := c.Pages.Web
	wc.PublicURL = publicURL
	h, err := web.New(pub, tr, wc, log)
	return pub, h, err
}

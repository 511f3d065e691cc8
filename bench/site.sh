#!/bin/bash
# make bench-site: full-build throughput and incremental-rebuild latency of site-gen on a
# synthetic 10,000-article corpus, with Hugo on the same corpus for comparison.
# usage: bench/site.sh SITE_GEN CORPUS_TOOL [ARTICLES] [RUNS]
set -euo pipefail
site_gen=$(realpath "$1")
corpus_tool=$(realpath "$2")
articles=${3:-10000}
runs=${RUNS:-${4:-5}}
cd "$(dirname "$0")/.."
work=build/bench
rm -rf "$work"
mkdir -p "$work"
"$corpus_tool" "$work/content" "$articles" >/dev/null
cp content/ui.conf "$work/content/"
mb=$(du -sb --apparent-size "$work/content" | awk '{printf "%.1f", $1/1e6}')
echo "corpus: $articles articles, $mb MB of Markdown ($(nproc) cores)"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Full builds: wall time and CPU time per run, output replaced each time as in real use.
"$site_gen" --content "$work/content" --out "$work/site" --quiet 2>/dev/null # warm the page cache
: > "$work/full.txt"
for i in $(seq "$runs"); do
	sync
	/usr/bin/time -f "%e %U %S" -o "$work/time.txt" \
		"$site_gen" --content "$work/content" --out "$work/site" --quiet 2>/dev/null
	cat "$work/time.txt" >> "$work/full.txt"
	# The previous tree is deleted in the background; let that finish before the next run.
	while compgen -G "$work/site.tmp-*" >/dev/null; do sleep 0.2; done
done
wall=$(awk '{print $1}' "$work/full.txt" | median)
cpu=$(awk '{print $2 + $3}' "$work/full.txt" | median)
pages=$(find "$work/site" -name '*.html' | wc -l)
printf 'site-gen full build: median %.2f s wall over %d runs (%s), %.0f pages/s, CPU %.2f s (%.0f%% of one core)\n' \
	"$wall" "$runs" "$(awk '{printf "%s ", $1}' "$work/full.txt")" "$(echo "$pages / $wall" | bc -l)" "$cpu" \
	"$(echo "100 * $cpu / $wall" | bc -l)"

# Incremental: site-gen --watch, then edits to single articles; time until the page changed.
node bench/watch-latency.js "$site_gen" "$work/content" "$work/site-watch" "$runs"

# Hugo on the same Markdown (its own minimal theme), if installed.
if command -v hugo >/dev/null; then
	h=$work/hugo
	mkdir -p "$h/layouts/_default"
	cp -r "$work/content" "$h/content"
	rm -f "$h/content/ui.conf" "$h"/content/*/categories.conf
	printf 'baseURL = "http://127.0.0.1:8080/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n' > "$h/hugo.toml"
	echo '<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>{{ .TableOfContents }}{{ .Content }}</body></html>' > "$h/layouts/_default/single.html"
	echo '<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>' > "$h/layouts/_default/list.html"
	: > "$work/hugo.txt"
	for i in $(seq "$runs"); do
		rm -rf "$h/public"
		sync
		(cd "$h" && /usr/bin/time -f "%e %U %S" -o ../hugo-time.txt hugo --quiet >/dev/null 2>&1)
		cat "$work/hugo-time.txt" >> "$work/hugo.txt"
	done
	hwall=$(awk '{print $1}' "$work/hugo.txt" | median)
	printf 'hugo %s full build: median %.2f s wall over %d runs (%s); site-gen is %.1fx faster\n' \
		"$(hugo version | awk '{print $2}')" "$hwall" "$runs" "$(awk '{printf "%s ", $1}' "$work/hugo.txt")" \
		"$(echo "$hwall / $wall" | bc -l)"
fi

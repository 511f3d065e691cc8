#!/bin/bash
# make bench-search: the help center's search index on the 10,000-article corpus of bench-site.
#
# 1. Build: the corpus (bench/corpus.c, as bench-site) built by site-gen BENCH_RUNS times after a
#    warm-up build. The index build time in site-gen is the time from the index file's birth
#    (search_writer_open creates search.db.tmp) to its last write (the VACUUM), read with stat;
#    the index writer alone (lib/search.c's search_writer_* on the same articles, read back from
#    the index, without site-gen's HTML-to-text step) is timed by segment-icu. Sizes: the index
#    file, split by dbstat into the stored copy of the text (the docs table, body compressed, which the
#    snippets come from) and the inverted index proper; the site's text twice: the Markdown of the
#    articles (front matter included) and the plain text that is indexed (title, headings, body).
# 2. Latency inside the service: 1,000 mixed queries (bench/search-query.c: search_open once,
#    then per query search_refresh + search_query limit 10 with the count + release), after a
#    warm-up pass; median and p99 per query, medians of BENCH_RUNS passes. Then how often the
#    two passes of search_query give the first 10 hits of the full ranking (every match scored
#    with the exact phrase), and that ranking's own latency.
# 3. Through nginx: the release portal (--workers 4, --search-db on the corpus index) behind the
#    real nginx configuration, wrk -t2 -c64 for BENCH_SECONDS on bench/search.lua (the same
#    queries: /{lang}/search.json?q=…&limit=5, every third also as the /{lang}/search?q=… page),
#    medians of BENCH_RUNS runs; then one run each of JSON only and HTML only.
# 4. Segmenters: bigrams (lib/segment.c) against ICU dictionary words (bench/segment-icu.c) on the
#    real articles of content/ with tests/search/queries.tsv (top-3 per locale), and the sizes
#    of both on the corpus.
#
# The 1,000 queries (build/bench-search/queries.tsv): every query of tests/search/queries.tsv,
# then, from the corpus vocabulary (the word lists of bench/corpus.c) with a fixed seed, Chinese
# words, colloquial Chinese questions, English words and questions, mixed-language queries, and
# queries with no result (words the corpus does not have).
#
# usage: bench/search.sh SITE_GEN PORTAL CORPUS_TOOL SEARCH_QUERY SEGMENT_ICU
# env: BENCH_ARTICLES (10000), BENCH_RUNS (3), BENCH_SECONDS (wrk, 20), BENCH_QUERIES (1000),
#      BENCH_TIMEOUT (wrk --timeout, 30s: slower answers would be left out of wrk's latencies)
# The machine's load average is printed at the start and the end: other work on the machine
# (tests of other checkouts, browsers) inflates every latency here.
set -euo pipefail
site_gen=$(realpath "$1")
portal_bin=$(realpath "$2")
corpus_tool=$(realpath "$3")
query_bin=$(realpath "$4")
icu_bin=$(realpath "$5")
articles=${BENCH_ARTICLES:-10000}
runs=${BENCH_RUNS:-3}
seconds=${BENCH_SECONDS:-20}
nqueries=${BENCH_QUERIES:-1000}
timeout=${BENCH_TIMEOUT:-30s}
connections=64
threads=2
cd "$(dirname "$0")/.."
root=$(pwd)
work=$root/build/bench-search
rm -rf "$work"
mkdir -p "$work/portal" "$work/wrk" "$work/icu-real" "$work/icu-corpus"

bench_name=bench-search
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_traps
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# --- 1. the corpus, its site and its index -----------------------------------------------------

"$corpus_tool" "$work/content" "$articles" >/dev/null
cp content/ui.conf "$work/content/"
md_bytes=$(find "$work/content" -name '*.md' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
db=$work/search.db
echo "bench-search: corpus of $articles articles (bench/corpus.c), $(mb "$md_bytes") of Markdown; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

build() {
	SITE_GEN_TIMING=1 /usr/bin/time -f "%e" -o "$work/time.txt" "$site_gen" --content "$work/content" \
		--theme theme --out "$work/site" --search-db "$db" --quiet 2>"$work/site-gen.txt" ||
		die "site-gen failed: $(cat "$work/site-gen.txt")"
	while compgen -G "$work/site.tmp-*" >/dev/null; do sleep 0.2; done
}
build # warm the page cache
: > "$work/builds.txt"
for i in $(seq "$runs"); do
	sync
	build
	# wall s, index ms in site-gen (file birth to last write), site-gen's last phase (swap + index)
	echo "$(cat "$work/time.txt") $(stat -c '%.9W %.9Y' "$db" | awk '{printf "%.0f", ($2 - $1) * 1000}')" \
		"$(grep -o 'swap [0-9]* ms' "$work/site-gen.txt" | awk '{print $2}')" >> "$work/builds.txt"
done
[ "$(awk '{print $2}' "$work/builds.txt" | sort -n | head -1)" -gt 0 ] ||
	die "cannot read the index file's birth time on this file system"
wall=$(awk '{print $1}' "$work/builds.txt" | median)
idx_ms=$(awk '{print $2}' "$work/builds.txt" | median)
swap_ms=$(awk '{print $3}' "$work/builds.txt" | median)

db_bytes=$(stat -c %s "$db")
sq() { sqlite3 "$db" "$@"; }
# The index keeps its text in docs (the body zlib-compressed, its length in the first 4 bytes,
# little-endian); the text indexed is title + headings + body as written.
content_bytes=$(sq "SELECT sum(pgsize) FROM dbstat WHERE name IN ('docs', 'sqlite_autoindex_docs_1')")
inverted_bytes=$(sq "SELECT sum(pgsize) FROM dbstat WHERE name IN ('articles_data', 'articles_idx', 'articles_docsize', 'articles_config')")
text_bytes=$(sq "SELECT length(CAST(title AS BLOB)) + length(CAST(headings AS BLOB)), hex(substr(body, 1, 4)) FROM docs" |
	awk -F'|' 'function h(s) { return index("0123456789ABCDEF", s) - 1 }
		function byte(x, i) { return h(substr(x, 2 * i + 1, 1)) * 16 + h(substr(x, 2 * i + 2, 1)) }
		{ t += $1 + byte($2, 0) + 256 * byte($2, 1) + 65536 * byte($2, 2) + 16777216 * byte($2, 3) }
		END { printf "%d", t }')
ndocs=$(sq "SELECT count(*) FROM docs")
[ "$ndocs" = "$articles" ] || die "the index has $ndocs articles, not $articles"

# The writer alone, and the ICU tokenizer's index of the same articles (sizes for part 4).
"$icu_bin" "$db" - "$work/icu-corpus" "$runs" > "$work/icu-corpus.txt"
writer_ms=$(awk '$2 == "bigrams" {for (i = 1; i <= NF; i++) if ($i == "built") print $(i + 2)}' "$work/icu-corpus.txt")

# --- 2. the queries, and their latency inside the service ------------------------------------------

words() { sed -n "/$1\\[\\] = {/,/};/p" bench/corpus.c | grep -o '"[^"]*"' | tr -d '"'; }
words zh_words > "$work/zh-words.txt"
words en_words > "$work/en-words.txt"
q=$work/queries.tsv
tail -n +2 tests/search/queries.tsv 2>/dev/null | awk -F'\t' 'NF >= 2 && $1 ~ /^(zh|en)$/ {print $1 "\t" $2}' > "$work/real.tsv" || true
nreal=$(wc -l < "$work/real.tsv")
awk -v total="$nqueries" -v nreal="$nreal" -v zhf="$work/zh-words.txt" -v enf="$work/en-words.txt" '
BEGIN {
	srand(20260406)
	while ((getline w < zhf) > 0) zh[nz++] = w
	while ((getline w < enf) > 0) if (length(w) > 3) en[ne++] = w
	split("怎么办|吗|是什么|多久|在哪里|怎么弄|不了|要多久|收费吗|失败了", zsuf, "|")
	split("|为什么|怎么|如何|我的|请问", zpre, "|")
	split("比特币|股票|贷款|保险|理财|外汇|彩票|信用分|基金|房贷|油价|天气", znone, "|")
	split("bitcoin|mortgage|insurance|stocks|crypto|lottery|xylophone|quokka|weather|pizza|dividends|zeppelin", enone, "|")
	split("how do I %s my %s|why is my %s %s not working|can I %s before %s?|%s %s not working|where do I find my %s %s|what happens to my %s after %s", etpl, "|")
	n = total - nreal
	for (i = 0; i < n; i++) {
		k = i % 20
		if (k < 4)       print "zh\t" zh[int(rand() * nz)]
		else if (k < 7)  print "zh\t" zpre[1 + int(rand() * 6)] zh[int(rand() * nz)] zh[int(rand() * nz)] zsuf[1 + int(rand() * 10)]
		else if (k < 10) print "en\t" en[int(rand() * ne)]
		else if (k < 13) print "en\t" sprintf(etpl[1 + int(rand() * 6)], en[int(rand() * ne)], en[int(rand() * ne)], en[int(rand() * ne)])
		else if (k < 14) print "zh\tOKpay " zh[int(rand() * nz)]
		else if (k < 15) print "zh\t" en[int(rand() * ne)] " " zh[int(rand() * nz)]
		else if (k < 16) print "en\tOKpay " en[int(rand() * ne)] " " zh[int(rand() * nz)]
		else if (k < 18) print "zh\t" znone[1 + int(rand() * 12)] (rand() < 0.5 ? "怎么买" : "")
		else             print "en\t" enone[1 + int(rand() * 12)] (rand() < 0.5 ? " rates" : "")
	}
}' > "$work/generated.tsv"
cat "$work/real.tsv" "$work/generated.tsv" | head -n "$nqueries" > "$q"
echo "bench-search: $(wc -l < "$q") queries ($nreal from tests/search/queries.tsv, the rest generated): $(cut -f1 "$q" | sort | uniq -c | awk '{printf "%s %s ", $2, $1}')"

"$query_bin" "$db" "$q" "$runs" > "$work/search-query.txt"
summary=$(grep 'queries=' "$work/search-query.txt")
q_med=$(field median_us "$summary")
q_p99=$(field p99_us "$summary")

# --- 3. through nginx --------------------------------------------------------------------------------

to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		f = u == "us" ? 0.001 : u == "ms" ? 1 : u == "s" ? 1000 : u == "m" ? 60000 : u == "h" ? 3600000 : -1
		if (f < 0) exit 1
		printf "%.2f", n * f }'
}

# The portal on the corpus index; bench_start lifts nginx's POST limit and the portal's login
# limit, neither of which a search meets.
bench_start "$portal_bin" "$work/site" 4 --search-db "$db"
pdb=$portal_db

wrk_rows=()
code=$(curl -sS -o "$work/probe.json" -w '%{http_code}' "$base/zh/search.json?q=%E5%AF%86%E7%A0%81") || code=000
if [ "$code" != 200 ] || ! grep -q '"total"' "$work/probe.json"; then
	echo "bench-search: GET /zh/search.json?q=密码 answered $code: the portal has no search yet; wrk skipped" >&2
else
	export BENCH_QUERIES=$q
	# wrk_case KEY LABEL MODE RUNS
	wrk_case() {
		local key=$1 label=$2 mode=$3 n=$4 rpss=() p50s=() p99s=() bad=0 errs=0 out i n0 n1 statuses
		n0=$(wc -l < "$work/portal/portal.log" 2>/dev/null || echo 0)
		for i in $(seq "$n"); do
			out=$work/wrk/$key-$i.txt
			BENCH_MODE=$mode wrk -t "$threads" -c "$connections" -d "${seconds}s" --timeout "$timeout" --latency \
				-s "$root/bench/search.lua" "$base" > "$out" 2>&1 || die "wrk failed: $(cat "$out")"
			rpss+=("$(awk '$1 == "Requests/sec:" {print $2}' "$out")")
			p50s+=("$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")")
			p99s+=("$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")")
			bad=$((bad + $(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out" | grep . || echo 0)))
			errs=$((errs + $(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out" | grep . || echo 0)))
			kill -0 "$portal_pid" 2>/dev/null || die "okpay-portal exited during '$label': $(cat "$work/portal/stderr.log")"
		done
		n1=$(wc -l < "$work/portal/portal.log" 2>/dev/null || echo 0)
		statuses=$(sed -n "$((n0 + 1)),${n1}p" "$work/portal/portal.log" 2>/dev/null |
			awk '{c[$5]++} END {for (s in c) printf "%s%s:%d", (n++ ? " " : ""), s, c[s]}')
		wrk_rows+=("$(printf '%-30s %9.0f %8.2f %8.2f   %-22s %7d %6d   %s' "$label" \
			"$(printf '%s\n' "${rpss[@]}" | median)" "$(printf '%s\n' "${p50s[@]}" | median)" \
			"$(printf '%s\n' "${p99s[@]}" | median)" "$(printf '%.0f ' "${rpss[@]}")" "$bad" "$errs" "${statuses:--}")")
	}
	logged0=$(sqlite3 "$pdb" "SELECT count(*) FROM search_log" 2>/dev/null || echo "?")
	wrk_case mixed "mixed: JSON, every 3rd page" mixed "$runs"
	wrk_case json "JSON only (limit 5)" json 1
	wrk_case html "results page only" html 1
	logged1=$(sqlite3 -cmd '.timeout 10000' "$pdb" "SELECT count(*) FROM search_log" 2>/dev/null || echo "?")
fi

# --- 4. segmenters on the real articles ----------------------------------------------------------

"$site_gen" --content content --theme theme --out "$work/real-site" --search-db "$work/real.db" --quiet \
	2>"$work/real-site-gen.txt" || die "site-gen on content/ failed: $(cat "$work/real-site-gen.txt")"
if [ -s tests/search/queries.tsv ]; then
	"$icu_bin" "$work/real.db" tests/search/queries.tsv "$work/icu-real" 3 > "$work/icu-real.txt"
else
	"$icu_bin" "$work/real.db" - "$work/icu-real" 3 > "$work/icu-real.txt"
fi
split_of() { # bytes of the stored text and of the inverted index in the index file $1
	sqlite3 "$1" "SELECT (SELECT sum(pgsize) FROM dbstat WHERE name = 'docs'),
		(SELECT sum(pgsize) FROM dbstat WHERE name IN ('articles_data', 'articles_idx', 'articles_docsize', 'articles_config'))" |
		awk -F'|' '{printf "stored text %.1f KB + inverted index %.1f KB", $1 / 1e3, $2 / 1e3}'
}

# --- the report ------------------------------------------------------------------------------------------

echo
echo "== index build (site-gen, $articles articles, median of $runs builds after a warm-up) =="
printf 'site-gen full build: %.2f s wall (runs: %s)\n' "$wall" "$(awk '{printf "%s ", $1}' "$work/builds.txt")"
printf 'search index in site-gen: %d ms (file birth to last write; runs: %s); site-gen'"'"'s "swap" phase, which includes it: %d ms\n' \
	"$idx_ms" "$(awk '{printf "%s ", $2}' "$work/builds.txt")" "$swap_ms"
printf 'index writer alone (search_writer_* on the same text, no HTML-to-text): %s ms\n' "$writer_ms"
echo
echo "== index size =="
printf 'index file:                %s\n' "$(mb "$db_bytes")"
printf '  stored text (snippets):  %s (FTS5 content table)\n' "$(mb "$content_bytes")"
printf '  inverted index:          %s (FTS5 data, idx, docsize, config)\n' "$(mb "$inverted_bytes")"
printf 'site text, Markdown:       %s (the .md files, front matter included)\n' "$(mb "$md_bytes")"
printf 'site text, plain:          %s (title + headings + body as indexed, no markup)\n' "$(mb "$text_bytes")"
printf 'index / Markdown %s, index / plain text %s, inverted index / plain text %s\n' \
	"$(ratio "$db_bytes" "$md_bytes")" "$(ratio "$db_bytes" "$text_bytes")" "$(ratio "$inverted_bytes" "$text_bytes")"
if [ "$db_bytes" -le "$text_bytes" ]; then
	echo "target (index file no larger than the text): met"
else
	echo "target (index file no larger than the text): NOT met by the whole file; the inverted index alone is $(ratio "$inverted_bytes" "$text_bytes")x the text"
fi
echo
echo "== query latency inside the service (search_refresh + search_query limit 10 with count) =="
sed 's/^search-query: /  /' "$work/search-query.txt"
printf 'median %s us, p99 %s us over %s queries (%s with no result); target p99 < 5000 us: %s\n' \
	"$q_med" "$q_p99" "$(field queries "$summary")" "$(field zero "$summary")" "$([ "$q_p99" -lt 5000 ] && echo met || echo NOT met)"
echo
echo "== through nginx (wrk -t$threads -c$connections -d${seconds}s --timeout $timeout, okpay-portal --workers 4) =="
if [ ${#wrk_rows[@]} = 0 ]; then
	echo "skipped: the portal does not answer /zh/search.json yet"
else
	printf '%-30s %9s %8s %8s   %-22s %7s %6s   %s\n' case "req/s" "p50 ms" "p99 ms" "runs (req/s)" non-2xx errors "portal statuses"
	printf '%s\n' "${wrk_rows[@]}"
	echo "search_log rows written by the portal: $logged0 before, $logged1 after"
	extra=$(grep -v '^okpay-portal: [0-9]* workers on ' "$work/portal/stderr.log" || true)
	[ -z "$extra" ] || printf 'okpay-portal stderr:\n%s\n' "$(head -5 <<<"$extra")"
fi
echo
echo "== segmenters: bigrams (lib/segment.c) against ICU dictionary words (bench/segment-icu.c) =="
echo "corpus ($articles articles):"
grep -E '^segment-icu: (bigrams|icu) ' "$work/icu-corpus.txt" | sed 's/^segment-icu: /  /'
printf '  bigrams: %s; icu: %s\n' "$(split_of "$work/icu-corpus/bigram.db")" "$(split_of "$work/icu-corpus/icu.db")"
echo "real articles (content/), tests/search/queries.tsv:"
sed 's/^segment-icu: /  /' "$work/icu-real.txt"
printf '  bigrams: %s; icu: %s\n' "$(split_of "$work/icu-real/bigram.db")" "$(split_of "$work/icu-real/icu.db")"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"

#!/usr/bin/env bash
# Runs kabinet's benchmarks; every figure is printed next to a baseline measured in the same run:
#  (a) number validation per kind (tin/, and `kabinet tin validate` over stdin) as x_baseline;
#  (b) bulk registration with dedupe vs a plain INSERT of the same stored rows, with the same
#      statements, into a copy of the indexed table (bulk/plain), on SQLite and PostgreSQL, N rows
#      (KABINET_BENCH_ROWS; 1,000,000 by default, 20,000 with QUICK=1) in transactions of
#      KABINET_BENCH_BATCH rows (5,000, the importer's default);
#  (c) GET /api/v1/taxpayers/{tin} under 64 concurrent clients vs GET /healthz on the same loopback
#      server, alternating in rounds (rps_ratio, p99_ratio, and CPU per request), at
#      KABINET_BENCH_PERSONS registered persons, on SQLite and PostgreSQL.
#  (d) the job queue from enqueue to done (one worker, a handler that does nothing) vs a plain
#      INSERT of the same rows into a copy of the jobs table (queue/plain), KABINET_BENCH_JOBS jobs
#      (10,000 by default), each in its own transaction ("single", as the outbox is used) and all
#      in one ("batch"), on SQLite and PostgreSQL.
#  (e) the kit's session check (GET /office/session with a staff session) and a whole back-office
#      page with a session (GET /office/search) under 64 clients vs /healthz (rps_ratio), and
#  (f) the server's CPU for one whole staff login over HTTP (the client in another process) vs one
#      raw argon2id hash of the same parameters, the two in turn (cpu_ratio), on SQLite and
#      PostgreSQL.
#  (g) authorization-code exchanges at the token endpoint (client_secret_basic, PKCE, the code
#      claimed and the grant stored in one transaction, an ID token and an access token signed)
#      per CPU-second of the server process alone (and its PostgreSQL), clients in another
#      process, next to /healthz (cpu_ratio), on SQLite and PostgreSQL (aim >= 2,000);
#  (h) refresh grants (the refresh token rotated and its grant read with its account in one
#      transaction, new tokens signed) the same way (aim >= 2,000);
#  (i) userinfo with a JWT access token under 64 clients vs /healthz (rps_ratio, aim >= 0.5);
#  (j) the memory of a real `kabinet serve` (built, on SQLite) idle after OpenID Connect load:
#      resident set and Go heap in MB, with exchanges and refreshes per CPU-second of its process.
#  (k) the personal account's home page with a taxpayer's session (GET /lk/) under 64 clients vs
#      /healthz (rps_ratio, aim >= 0.5), on SQLite and PostgreSQL;
#  (l) the CPU of a TIN-and-password login of the personal account (the limits, the account, the
#      argon2id hash, the history) vs one raw argon2id hash of the same parameters, the two in
#      turn (ratio, aim <= 1.05), on SQLite and PostgreSQL.
#  (m) the identity provider's account page with a citizen's session (GET /id/), for a standard
#      account and for a simplified one (whose page reads its verification), under 64 clients vs
#      /healthz (rps_ratio, aim >= 0.5), on SQLite and PostgreSQL;
#  (n) the server's CPU for one whole password login to the identity provider over HTTP (the
#      client in another process) vs one raw argon2id hash of the same parameters, the two in
#      turn one by one (cpu_ratio, aim <= 1.05), on SQLite and PostgreSQL;
#  (o) registrations of the identity provider up to their code in the outbox vs a plain INSERT of
#      the same rows (ratio; reg/s and plain_reg/s), on SQLite and PostgreSQL.
#  The benchmarks start their own PostgreSQL cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${QUICK:-}" = 1 ]; then
  rows=${KABINET_BENCH_ROWS:-20000}
  persons=${KABINET_BENCH_PERSONS:-20000}
  secs=${KABINET_BENCH_SECONDS:-3}
else
  rows=${KABINET_BENCH_ROWS:-1000000}
  persons=${KABINET_BENCH_PERSONS:-1000000}
  secs=${KABINET_BENCH_SECONDS:-10}
fi
export CI=true KABINET_BENCH_ROWS=$rows KABINET_BENCH_PERSONS=$persons KABINET_BENCH_SECONDS=$secs

echo "== (a) number validation (x_baseline: time relative to the baseline loop)"
go test -run '^$' -bench . -benchmem ./tin/
go test -run '^$' -bench 'BenchmarkTinValidateStdin' ./cmd/kabinet/

echo "== (b) bulk registration of $rows persons vs plain INSERT (bulk/plain)"
go test -run '^$' -bench 'BenchmarkRegisterPersons' -benchtime 1x -timeout 6h ./internal/store/

for dbk in sqlite postgres; do
  echo "== (c) lookup under 64 clients vs /healthz, $persons persons, $dbk (rps_ratio, p99_ratio)"
  KABINET_BENCH_DB=$dbk go test -run '^$' -bench 'BenchmarkTaxpayerLookupUnderLoad' -benchtime 1x -timeout 6h ./internal/server/
done

echo "== (d) job queue, enqueue to done vs plain INSERT (queue/plain)"
go test -run '^$' -bench 'BenchmarkJobsThroughput' -benchtime 1x -timeout 1h ./internal/store/

for dbk in sqlite postgres; do
  echo "== (e) session check and a page with a session under 64 clients vs /healthz, $dbk (rps_ratio)"
  KABINET_BENCH_DB=$dbk go test -run '^$' -bench 'BenchmarkSession(Check|Page)UnderLoad' -benchtime 1x -timeout 1h ./internal/server/
  echo "== (f) staff login CPU vs one argon2id hash, $dbk (cpu_ratio)"
  KABINET_BENCH_DB=$dbk go test -run '^$' -bench 'BenchmarkStaffLoginCPU' -benchtime 1x -timeout 1h ./internal/server/
done

for dbk in sqlite postgres; do
  echo "== (g) code exchanges per server CPU-second, $dbk (exchanges/cpu_s, cpu_ratio vs /healthz)"
  KABINET_BENCH_DB=$dbk go test -run '^$' -bench 'BenchmarkTokenExchangeCPU' -benchtime 1x -timeout 1h ./internal/server/
  echo "== (h) refresh grants per server CPU-second, $dbk (refreshes/cpu_s, cpu_ratio vs /healthz)"
  KABINET_BENCH_DB=$dbk go test -run '^$' -bench 'BenchmarkRefreshCPU' -benchtime 1x -timeout 1h ./internal/server/
  echo "== (i) userinfo with a JWT access token under 64 clients vs /healthz, $dbk (rps_ratio)"
  KABINET_BENCH_DB=$dbk go test -run '^$' -bench 'BenchmarkUserInfoUnderLoad' -benchtime 1x -timeout 1h ./internal/server/
done

echo "== (j) kabinet serve idle after OpenID Connect load (rss_idle_MB, heap_inuse_MB)"
go test -run '^$' -bench 'BenchmarkServeIdleMemory' -benchtime 1x -timeout 1h ./cmd/kabinet/

for dbk in sqlite postgres; do
  echo "== (k) the personal account's page with a session under 64 clients vs /healthz, $dbk (rps_ratio)"
  KABINET_BENCH_DB=$dbk go test -run '^$' -bench 'BenchmarkCabinetPageUnderLoad' -benchtime 1x -timeout 1h ./internal/server/
  echo "== (l) TIN-and-password login CPU vs one argon2id hash, $dbk (ratio)"
  KABINET_BENCH_DB=$dbk go test -run '^$' -bench 'BenchmarkLoginCPU' -benchtime 3x -timeout 1h ./internal/cabinet/
done

for dbk in sqlite postgres; do
  echo "== (m) the identity provider's account page with a session under 64 clients vs /healthz, $dbk (rps_ratio)"
  KABINET_BENCH_DB=$dbk go test -run '^$' -bench 'BenchmarkAccountPageUnderLoad' -benchtime 1x -timeout 1h ./internal/server/
  echo "== (n) the identity provider's password login CPU vs one argon2id hash, $dbk (cpu_ratio)"
  KABINET_BENCH_DB=$dbk go test -run '^$' -bench 'BenchmarkCitizenLoginCPU' -benchtime 3x -timeout 1h ./internal/server/
  echo "== (o) registrations to the outbox vs plain INSERT, $dbk (ratio)"
  KABINET_BENCH_DB=$dbk go test -run '^$' -bench 'BenchmarkRegistrationToOutbox' -benchtime 1x -timeout 1h ./internal/identity/
done

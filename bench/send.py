"""Sending to ten thousand: ``python3 -m bench.send [--recipients 10000] [--connections 4]``.

The briefing is built by the product from real articles (the BASIL news set in
``../shared/eval/clustering/basil.jsonl``: New York Times, Fox News and HuffPost reports,
imported as they are and dated on one day), so the message has the size of a real one.
The recipients are imported as a CSV with ``briefing.py subscribers import``. An aiosmtpd
server runs in its own process on 127.0.0.1 and appends (recipient, Message-ID) of every
message it accepts to a log.

Then, each time through ``briefing.py send`` in a child process, as a user runs it:

1. the reference: the same messages, one connection per message, one after the other
   (``connections = 1``, ``messages_per_connection = 1``);
2. the product's defaults (``connections`` parallel connections, each carrying many
   messages): messages per second, the ratio against 1, and the child's peak memory;
3. a kill: the same send, SIGKILLed at a random moment, then run again: the server's log
   must hold every address exactly once.

With ``--tls starttls`` (or ``ssl``) the server speaks TLS with a certificate from a
private authority made by ``trustme`` (ECDSA P-256, its default), which the product
trusts through ``BRIEFING_SMTP_CA_FILE``, as providers require TLS and each new
connection then costs a handshake. ``--rtt MS`` delays every answer, as a server across a
network does.

Prints the figures. Example:
    python3 -m bench.send --recipients 10000
    python3 -m bench.send --recipients 10000 --tls starttls --rtt 20
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval" / "clustering" / "basil.jsonl"
DAY = "2025-06-24"
OUTLETS = {"nyt": "New York Times", "fox": "Fox News", "hpo": "HuffPost"}


def _serve(log_path: str, rtt: float, tls: str, cert: str, ready, stop) -> None:
    """The SMTP server process: accept everything, log (recipient, Message-ID, time) per message.

    With ``rtt`` > 0 every answer (the greeting, EHLO, MAIL, RCPT, end of data, QUIT) comes
    that many seconds late, as over a network to a provider's server; loopback has none.
    """
    import asyncio
    import ssl
    import time as clock

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    log = open(log_path, "a", buffering=1, encoding="ascii")
    message_id = re.compile(rb"\r\nMessage-ID: (\S+)\r\n", re.I)

    async def late() -> None:
        if rtt:
            await asyncio.sleep(rtt)

    class Handler:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            await late()
            session.host_name = hostname
            return responses

        async def handle_MAIL(self, server, session, envelope, address, mail_options):
            await late()
            envelope.mail_from = address
            return "250 OK"

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            await late()
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            await late()
            found = message_id.search(envelope.content)
            mid = found.group(1).decode("ascii") if found else "-"
            size, lines = len(envelope.original_content), envelope.original_content.count(b"\n")
            for rcpt in envelope.rcpt_tos:
                log.write(f"{rcpt}\t{mid}\t{clock.time():.6f}\t{size}\t{lines}\n")
            return "250 2.0.0 Ok: queued"

        async def handle_QUIT(self, server, session, envelope):
            await late()
            return "221 Bye"

    class LateGreeting(SMTP):
        async def _handle_client(self):
            await late()  # the TCP handshake's round trip
            await super()._handle_client()

    class Quiet(Controller):
        def factory(self):
            return LateGreeting(self.handler, **self.SMTP_kwargs)

        def _trigger_server(self):
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    extra: dict = {}
    if tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert)
        extra = dict(ssl_context=context) if tls == "ssl" else dict(tls_context=context, require_starttls=True)
    controller = Quiet(Handler(), hostname="127.0.0.1", port=0, **extra)
    controller.start()
    ready.put(controller.port)
    stop.wait()
    controller.stop()
    log.close()


class Server:
    """The aiosmtpd server in its own process, logging to ``log``."""

    def __init__(self, log: Path, rtt: float = 0.0, tls: str = "none", cert: Path | None = None) -> None:
        self.log = log
        context = multiprocessing.get_context("spawn")
        queue, self.stop = context.Queue(), context.Event()
        self.process = context.Process(target=_serve, args=(str(log), rtt, tls, str(cert or ""), queue, self.stop),
                                       daemon=True)
        self.process.start()
        self.port = queue.get(timeout=60)

    def received(self) -> list[tuple[str, str, float]]:
        """(recipient, Message-ID, arrival time) of every accepted message so far."""
        if not self.log.exists():
            return []
        rows = [line.split("\t") for line in self.log.read_text(encoding="ascii").splitlines()]
        return [(r[0], r[1], float(r[2])) for r in rows if len(r) == 5]

    def sizes(self) -> set[tuple[int, int]]:
        """The distinct (octets, lines) of the messages accepted so far."""
        rows = [line.split("\t") for line in self.log.read_text(encoding="ascii").splitlines()]
        return {(int(r[3]), int(r[4])) for r in rows if len(r) == 5}

    def cpu(self) -> float:
        """CPU seconds the server process has used so far (user + system)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.stop.set()
        self.process.join(30)


def make_home(home: Path, recipients: int) -> tuple[int, float]:
    """Build the day's briefing from the BASIL articles and import the subscribers; (stories, import seconds)."""
    home.mkdir(parents=True)
    articles = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    feed = home / "articles.jsonl"
    with feed.open("w", encoding="utf-8") as out:
        for n, a in enumerate(articles):
            published = f"{DAY}T{(n * 7 // 60) % 18 + 4:02d}:{n * 7 % 60:02d}:00+00:00"
            out.write(json.dumps({"title": a["title"], "url": a.get("url") or f"https://example.org/{a['id']}",
                                  "source": OUTLETS.get(a.get("source", ""), a.get("source", "News")),
                                  "published": published, "text": a["text"]}) + "\n")
    env = _env(home, 0)
    _cli(["import", str(feed)], env)
    _cli(["build", "--date", DAY, "--since", "24"], env)
    stories = len(json.loads((home / "archive" / DAY / "briefing.json").read_text())["stories"])
    csv = home / "subscribers.csv"
    csv.write_text("email,name\n" + "".join(f"reader{i:05d}@example.org,Reader {i}\n" for i in range(recipients)))
    began = time.perf_counter()
    _cli(["subscribers", "import", str(csv)], env)
    return stories, time.perf_counter() - began


TLS = {"mode": "none", "ca_file": ""}  # set by main() from --tls


def _env(home: Path, port: int, **smtp: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env.update({"BRIEFING_HOME": str(home), "BRIEFING_SMTP_HOST": "127.0.0.1",
                "BRIEFING_SMTP_TLS": TLS["mode"], "BRIEFING_FROM": "Diplomacy briefing <desk@example.org>",
                "BRIEFING_BRIEFING_BASE_URL": "https://briefing.diplomacy-digest.example.org",
                "BRIEFING_SMTP_RETRY_DELAY": "0.2"})
    if port:  # 0: no server yet (setting up the home); the port is checked as a user's would be
        env["BRIEFING_SMTP_PORT"] = str(port)
    if TLS["ca_file"]:
        env["BRIEFING_SMTP_CA_FILE"] = TLS["ca_file"]
    env.update({f"BRIEFING_SMTP_{k.upper()}": v for k, v in smtp.items()})
    return env


def _cli(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "briefing.py"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"briefing.py {' '.join(args)} failed: {done.stderr.strip()}")


def timed_send(home: Path, server: Server, kill_after: float | None = None, **smtp: str
               ) -> tuple[float, float, int, float, str]:
    """Run `briefing.py send` in a child; (seconds, peak memory in MiB, exit status or -9 when killed,
    CPU seconds of the child, its output)."""
    env = _env(home, server.port, **smtp)
    began = time.perf_counter()
    out = tempfile.TemporaryFile()
    child = subprocess.Popen([sys.executable, str(ROOT / "briefing.py"), "send", "--date", DAY], env=env, cwd=ROOT,
                             stdout=out, stderr=subprocess.DEVNULL)
    if kill_after is not None:
        time.sleep(kill_after)
        child.send_signal(signal.SIGKILL)
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - began
    out.seek(0)
    return (seconds, usage.ru_maxrss / 1024, child.returncode, usage.ru_utime + usage.ru_stime,
            out.read().decode("utf-8", "replace").strip())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python3 -m bench.send", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=4, help="parallel connections (the product's default: 4)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the kill moment (default: random)")
    parser.add_argument("--rtt", type=float, default=0.0, metavar="MS",
                        help="answer every SMTP command this many milliseconds late, as a server across a network "
                             "does (default 0: loopback as it is)")
    parser.add_argument("--tls", choices=("none", "starttls", "ssl"), default="none",
                        help="the server's TLS, with a certificate of a private authority the sender is given as "
                             "[smtp] ca_file (default none)")
    parser.add_argument("--reference", type=int, default=1000, metavar="N",
                        help="send the first N of the same messages one connection per message (default 1000; "
                             "0: all)")
    args = parser.parse_args(argv)
    if not EVAL.exists():
        raise SystemExit(f"{EVAL} is missing: the benchmark builds its briefing from it")
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    work = Path(tempfile.mkdtemp(prefix="bench-send-"))
    servers: list[Server] = []
    try:
        cert = None
        if args.tls != "none":
            import trustme

            authority = trustme.CA()
            authority.cert_pem.write_to_path(str(work / "ca.pem"))
            cert = work / "server.pem"
            authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(cert))
            TLS.update(mode=args.tls, ca_file=str(work / "ca.pem"))
        base = work / "base"
        began = time.perf_counter()
        stories, import_seconds = make_home(base, args.recipients)
        rtt = args.rtt / 1000
        print(f"briefing of {DAY}: {stories} stories from {EVAL.name}; {args.recipients} subscribers imported "
              f"in {import_seconds:.1f} s (setup {time.perf_counter() - began:.0f} s)")
        expected = {f"reader{i:05d}@example.org" for i in range(args.recipients)}
        sample = args.reference if 0 < args.reference < args.recipients else args.recipients
        print(f"server answers {args.rtt:g} ms late" + (" (loopback as it is)" if not args.rtt else
                                                          " (a simulated network round trip)")
              + ("" if args.tls == "none" else f"; TLS: {args.tls}, a private authority's certificate"))
        figures = {}
        for name, settings, count in (
                ("one connection per message", dict(connections="1", messages_per_connection="1"), sample),
                (f"{args.connections} connections, many messages each", dict(connections=str(args.connections)),
                 args.recipients)):
            home = work / re.sub(r"\W+", "-", name)
            shutil.copytree(base, home)
            if count < args.recipients:
                # The same messages: the first ``count`` subscribers, the rest set aside.
                _cli(["subscribers", "remove", *sorted(expected)[count:]], _env(home, 0))
            server = Server(work / f"{home.name}.log", rtt, args.tls, cert)
            servers.append(server)
            cpu_before = server.cpu()
            seconds, peak, code, cpu, _out = timed_send(home, server, **settings)
            server_cpu = server.cpu() - cpu_before
            got = server.received()
            # From the first message's arrival to the last's: the send itself, without the
            # second or more the command takes to start (more on a loaded machine).
            span = max(t for *_, t in got) - min(t for *_, t in got)
            rate = (len(got) - 1) / span
            figures[name] = (rate, seconds)
            print(f"{name}: {len(got)} messages, {rate:.0f} messages/s ({span:.1f} s first to last arrival; "
                  f"the whole command {seconds:.1f} s), peak memory {peak:.0f} MiB, exit {code}; CPU per message: "
                  f"server {server_cpu / len(got) * 1000:.2f} ms, sender {cpu / len(got) * 1000:.2f} ms "
                  f"(start-up included)")
            sizes = server.sizes()
            print(f"  messages of {min(o for o, _ in sizes):,} to {max(o for o, _ in sizes):,} octets, "
                  f"{min(n for _, n in sizes)} to {max(n for _, n in sizes)} lines, as the server received them")
            if sorted(r for r, *_ in got) != sorted(expected)[:count] or code != 0:
                print("  NOT every address received exactly one copy")
        (ref_rate, _), (our_rate, ours_s) = figures.values()
        print(f"ratio: {our_rate / ref_rate:.1f}x the messages per second of one connection per message "
              "(target >= 5x)")

        rng = random.Random(seed)
        home = work / "killed"
        shutil.copytree(base, home)
        server = Server(work / "killed.log", rtt, args.tls, cert)
        servers.append(server)
        kill_after = rng.uniform(0.25, 0.85) * ours_s
        _s, _p, code, _c, _o = timed_send(home, server, kill_after=kill_after, connections=str(args.connections))
        time.sleep(2)  # the server finishes the messages it holds, as a real one would
        before = len(server.received())
        seconds, _p, code2, _c, said = timed_send(home, server, connections=str(args.connections))
        got = server.received()
        copies = Counter(r for r, *_ in got)
        twice = sorted(r for r, n in copies.items() if n > 1)
        missing = expected - set(copies)
        print(f"kill: SIGKILL after {kill_after:.1f} s (seed {seed}, exit {code}): {before} delivered before the kill; "
              f"the rerun sent {len(got) - before} in {seconds:.1f} s (exit {code2})")
        print("  the rerun said: " + "\n                  ".join(said.splitlines()))
        same_id = all(len({m for r2, m, _ in got if r2 == r}) == 1 for r in twice)
        print(f"  every address exactly one copy: {'yes' if not twice and not missing else 'NO'} "
              f"({len(copies)} addresses, {len(twice)} with two copies, {len(missing)} missing)")
        if twice:
            print(f"  the second copies {'carry the same Message-ID as the first' if same_id else 'DIFFER'}: "
                  f"{', '.join(twice[:5])}")
        print(f"  distinct (address, Message-ID) pairs: {len(set((r, m) for r, m, _ in got))}")
        return 0 if not missing and not twice else 1
    finally:
        for server in servers:
            server.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

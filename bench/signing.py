"""What one recipient's message costs to make, with and without a DKIM signature:
``python3 -m bench.signing [--messages 200]``.

The briefing is the demo's (``briefing.py demo`` in a temporary home, from ``sample/``),
rendered as ``send`` renders it; the key is a fresh 2048-bit RSA key. For each message:
``MessageTemplate.wire`` unsigned (the recipient's head and token filled into the stuffed
body), the same signed (what ``send`` does with ``[smtp] dkim_*`` set), and dkimpy's
signature alone over the same bytes. Prints milliseconds per message.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

DAY = "2025-06-25"  # the demo corpus's day


def _per_message(make, count: int) -> float:
    start = time.perf_counter()
    for n in range(count):
        make(n)
    return (time.perf_counter() - start) / count * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python3 -m bench.signing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args(argv)

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    import briefing
    from archive.briefings import load_briefing
    from delivery import message as messages
    from delivery.signing import Signer
    from templates.render import Links, render_email

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        for key in [k for k in os.environ if k.startswith("BRIEFING_")]:
            del os.environ[key]
        assert briefing.main(["-q", "demo", "--home", str(home)]) == 0
        day = load_briefing(home / "archive", DAY)
    base = "https://news.example.org/unsubscribe?id="
    email = render_email(day, "UTC", Links("https://news.example.org/b.html", base + messages.TOKEN_PLACEHOLDER))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    signer = Signer("bench", "example.org", key)
    sent = datetime.now(timezone.utc)
    sender = "Briefing Desk <desk@example.org>"
    plain = messages.MessageTemplate(email, sender, "L <l.example.org>", "", base, sent)
    signed = messages.MessageTemplate(email, sender, "L <l.example.org>", "", base, sent, sign=signer.header)
    token = "a" * 32
    one = plain.for_recipient("r@example.org", "<1@example.org>", token)
    count = args.messages
    print(f"message: {len(one) / 1024:.0f} KB, {len(day.stories)} stories; {count} messages each")
    print(f"wire, unsigned:   {_per_message(lambda n: plain.wire(f'r{n}@example.org', f'<{n}@x>', token, True), count):8.3f} ms")
    print(f"wire, DKIM-signed:{_per_message(lambda n: signed.wire(f'r{n}@example.org', f'<{n}@x>', token, True), count):8.3f} ms")
    print(f"dkimpy sign only: {_per_message(lambda n: signer.header(one), count):8.3f} ms")


if __name__ == "__main__":
    main()

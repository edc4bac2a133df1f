#!/usr/bin/env python3
"""Writes the seed corpora tests/fuzz/corpus/<target>/ from the repository's fixtures:
the binlog captures, the flow files, the example pipeline, and the pgoutput, Kafka, DDL
and COPY cases the unit tests build. Run it again after adding fixtures; the fuzzers
only read the files it writes, in the framing of tests/fuzz/fuzz_input.hpp."""

import hashlib
import json
import pathlib
import re
import shutil
import struct
import subprocess
import zlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests/fuzz/corpus"


def frame(body: bytes) -> bytes:
    return struct.pack("<H", len(body)) + body


def write(target: str, seeds: list[bytes]) -> None:
    folder = CORPUS / target
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for seed in seeds:
        (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)


def binlog_rows() -> list[bytes]:
    seeds = []
    for path in sorted((ROOT / "tests/data/binlog/rows").glob("*.json")):
        case = json.loads(path.read_text())
        flags = 1 if case["flavor"] == "mysql" else 0
        out = b""
        if case.get("columns"):
            flags |= 2
            lines = [
                "\t".join([c.get("name", ""), c.get("declared_type", ""), c.get("charset", ""),
                           "1" if c.get("unsigned") else "0"]) for c in case["columns"]
            ]
            out += frame("\n".join(lines).encode())
        out = bytes([flags]) + out + bytes([19]) + frame(bytes.fromhex(case["table_map"]))
        for event in case["events"]:
            out += bytes([event["type"]]) + frame(bytes.fromhex(event["body"]))
        seeds.append(out)
    for statement in (b"BEGIN", b"ALTER TABLE `shop`.orders ADD c INT"):
        query = struct.pack("<IIBHH", 5, 0, 4, 0, 0) + b"shop\0" + statement
        seeds.append(b"\0" + bytes([2]) + frame(query))
    return seeds


def zlib_part(data: bytes) -> bytes:
    """MariaDB's compressed part: header byte, big-endian length, zlib stream."""
    length_bytes = 3 if len(data) > 0xFFFF else 2 if len(data) > 0xFF else 1
    return (bytes([0x80 | length_bytes]) + len(data).to_bytes(length_bytes, "big") +
            zlib.compress(data))


def rows_prefix_length(event_type: int, body: bytes) -> int:
    """Post-header, column count and bitmap(s): what a compressed rows event keeps plain."""
    at = 8
    if event_type >= 30:
        at += struct.unpack_from("<H", body, at)[0]
    columns = body[at]  # the fixtures' tables have fewer than 251 columns
    at += 1
    bitmap = (columns + 7) // 8
    return at + (2 * bitmap if event_type in (24, 31) else bitmap)


def event(event_type: int, body: bytes) -> bytes:
    """An event with its 19-byte common header, as a TRANSACTION_PAYLOAD holds it."""
    return struct.pack("<IBIII", 0, event_type, 1, 19 + len(body), 0) + b"\0\0" + body


def lenenc(value: int) -> bytes:
    return bytes([value]) if value < 0xFB else b"\xfc" + struct.pack("<H", value)


def binlog_compressed() -> list[bytes]:
    seeds = []
    for path in sorted((ROOT / "tests/data/binlog/rows").glob("*.json")):
        case = json.loads(path.read_text())
        table_map = bytes.fromhex(case["table_map"])
        events = [(e["type"], bytes.fromhex(e["body"])) for e in case["events"]]
        if case["flavor"] == "mariadb" and not case.get("columns"):
            for event_type, body in events:
                prefix = rows_prefix_length(event_type, body)
                compressed_type = event_type - 23 + 166 if event_type < 30 else event_type - 30 + 169
                seeds.append(bytes([compressed_type]) + frame(table_map) + body[:prefix] +
                             zlib_part(body[prefix:]))
        if case["flavor"] == "mysql" and not case.get("columns"):
            plain = event(19, table_map) + b"".join(event(t, b) for t, b in events)
            packed = subprocess.run(["zstd", "-q", "-c"], input=plain, capture_output=True,
                                    check=True).stdout
            header = (lenenc(2) + lenenc(1) + lenenc(0) + lenenc(3) + lenenc(len(lenenc(len(plain)))) +
                      lenenc(len(plain)) + lenenc(1) + lenenc(len(lenenc(len(packed)))) +
                      lenenc(len(packed)) + lenenc(0))
            seeds.append(bytes([40]) + frame(b"") + header + packed)
            uncompressed = lenenc(2) + lenenc(1) + lenenc(255) + lenenc(0)
            seeds.append(bytes([40]) + frame(b"") + uncompressed + plain)
    query = struct.pack("<IIBHH", 5, 0, 4, 0, 0) + b"shop\0"
    seeds.append(bytes([165]) + frame(b"") + query + zlib_part(b"ALTER TABLE orders ADD c INT"))
    return seeds


def mysql_json() -> list[bytes]:
    cases = json.loads((ROOT / "tests/data/binlog/json/cases.json").read_text())
    return [bytes.fromhex(case["binary"]) for case in cases["cases"]]


class Message:
    """A pgoutput message, big-endian as on the wire (tests/unit/pgoutput_decoder_test.cpp)."""

    def __init__(self, kind: str):
        self.data = kind.encode()

    def u8(self, v):
        self.data += struct.pack(">B", v)
        return self

    def u16(self, v):
        self.data += struct.pack(">H", v)
        return self

    def u32(self, v):
        self.data += struct.pack(">I", v)
        return self

    def u64(self, v):
        self.data += struct.pack(">Q", v)
        return self

    def str(self, s):
        self.data += s.encode() + b"\0"
        return self

    def text(self, s):
        self.u8(ord("t")).u32(len(s.encode()))
        self.data += s.encode()
        return self


def relation(relid, identity):
    m = Message("R").u32(relid).str("public").str("orders").u8(ord(identity)).u16(3)
    m.u8(1).str("id").u32(23).u32(0xFFFFFFFF)
    m.u8(0).str("amount").u32(1700).u32(((12 << 16) | 4) + 4)
    m.u8(0).str("note").u32(25).u32(0xFFFFFFFF)
    return m


def pgoutput() -> list[bytes]:
    begin = Message("B").u64(0x1000).u64(1_000_000).u32(42)
    commit = Message("C").u8(0).u64(0x1000).u64(0x1040).u64(1_000_000)
    insert = Message("I").u32(7).u8(ord("N")).u16(3).text("1").text("-12.5000").u8(ord("n"))
    update = Message("U").u32(7).u8(ord("K")).u16(3).text("1").u8(ord("n")).u8(ord("n"))
    update.u8(ord("N")).u16(3).text("2").text("3.0000").u8(ord("u"))
    delete = Message("D").u32(7).u8(ord("K")).u16(3).text("2").u8(ord("n")).u8(ord("n"))
    truncate = Message("T").u32(1).u8(0).u32(7)
    full = Message("R").u32(9).str("public").str("orders").u8(ord("f")).u16(2)
    full.u8(1).str("id").u32(20).u32(0xFFFFFFFF).u8(1).str("note").u32(25).u32(0xFFFFFFFF)
    full_delete = Message("D").u32(9).u8(ord("O")).u16(2).text("5").text("x")
    origin = Message("O").u64(0x2000).str("other")
    logical = Message("M").u8(1).u64(0x3000).str("prefix").u32(2)
    logical.data += b"hi"

    def stream(flags, *messages):
        return bytes([flags]) + b"".join(frame(m.data) for m in messages)

    return [
        stream(0, begin, relation(7, "d"), insert, update, delete, commit),
        stream(1, begin, relation(7, "f"), truncate, commit),
        stream(1, full, full_delete),
        stream(0, origin, logical),
    ]


def kafka_envelope() -> list[bytes]:
    columns = ('[["id","int32","integer",true],["note","text","text",false],'
               '["amount","numeric","numeric(12,2)",false],["body","text","text",false]]')
    source = ('"source":{"connector":"sluice","db":"shop","schema":"public","table":"orders",'
              '"pos":123456789,"txId":991,"ts_ms":1700000000123,"snapshot":false}')
    sluice_update = ('{"before":{"id":"7","note":null,"amount":null,"body":null},'
                     '"after":{"id":"7","note":"tab\\there \\"q\\" \\\\ \\u0001 \u00fc",'
                     '"amount":null,"body":null},' + source + ',"op":"u","ts_ms":1700000000123,'
                     '"sluice":{"columns":' + columns + ',"unchanged":["body"]}}')
    sluice_delete = ('{"before":{"id":"7","note":null,"amount":"1.50","body":null},"after":null,'
                     + source.replace('"snapshot":false', '"snapshot":true') +
                     ',"op":"d","ts_ms":1700000000123,"sluice":{"columns":' + columns + '}}')
    schema = '{"schema":"public","table":"orders","sluice":{"columns":' + columns + '}}'
    debezium = ('{"before":null,"after":{"id":42,"price":19.5,"active":true,"name":"Zo\u00eb",'
                '"tags":["a","b"],"meta":{"k":1},"missing":null,"big":18446744073709551615},'
                '"source":{"version":"2.4.0","connector":"postgresql","name":"dbserver1",'
                '"ts_ms":1700000000000,"db":"inventory","schema":"inventory","table":"products",'
                '"txId":555,"lsn":24023128},"op":"c","ts_ms":1700000000100}')
    debezium_wrapped = ('{"schema":{"type":"struct"},"payload":{"before":{"id":3,"v":"x"},'
                        '"after":null,"source":{"db":"shop","table":"items"},"op":"d"}}')
    lines = [
        '{"id":"7"}\t' + sluice_update + "\n" + '{"id":"7"}\t' + sluice_delete,
        schema + "\n" + '{"id":"7"}\t' + sluice_update,
        '{"id":42}\t' + debezium,
        '{"schema":{"type":"struct"},"payload":{"id":3}}\t' + debezium_wrapped + "\n" +
        '{"id":3}\t',
        '\t{"op":"t","source":{"connector":"sluice","db":"shop","schema":"public",'
        '"table":"orders"},"sluice":{"columns":' + columns + '}}',
    ]
    return [line.encode() for line in lines]


def flow_sql() -> list[bytes]:
    seeds = []
    for path in sorted((ROOT / "tests/data/flows").glob("*.test")):
        text = path.read_text()
        for match in re.finditer(r"^flow [^\n]*\n(.*?)^;", text, re.S | re.M):
            seeds.append(match.group(1).encode())
    example = (ROOT / "examples/sport_events/pipeline.yaml").read_text()
    sql = re.search(r"sql: \|\n(.*?)(?:\n\S|\Z)", example, re.S)
    if sql:
        seeds.append(sql.group(1).encode())
    seeds.append(b"SELECT CASE WHEN x.a IS NOT NULL THEN CAST(x.b AS numeric(12,2)) "
                 b"ELSE EXTRACT(year FROM x.d) END AS v, coalesce(x.c, 'n''a') /* c */ "
                 b"FROM t x WHERE x.a > 1.5e3 AND NOT x.b <> -2 -- end\n")
    return seeds


def pipeline_config() -> list[bytes]:
    example = (ROOT / "examples/sport_events/pipeline.yaml").read_text()
    example = re.sub(r"\$\{[A-Z_]+\}", "postgresql://u:${SLUICE_FUZZ_PASSWORD}@h/db", example)
    minimal = ("name: shop\nsource:\n  type: postgres\n"
               "  url: postgresql://repl:${SLUICE_FUZZ_PASSWORD}@127.0.0.1:5432/shop\n"
               "sink:\n  type: postgres\n  url: postgresql://loader@127.0.0.1:5433/dw\n")
    kafka = minimal + ("batch: { max_rows: 10, max_delay: 2s }\ntransport:\n  type: kafka\n"
                       "  brokers: [127.0.0.1:9092]\n")
    redshift = minimal.replace("sink:\n  type: postgres", "sink:\n  type: redshift") + (
        "  s3:\n    bucket: b\n    region: us-east-1\n")
    return [example.encode(), minimal.encode(), kafka.encode(), redshift.encode()]


def binlog_ddl() -> list[bytes]:
    statements = [
        ("db", "/* generated */ ALTER ONLINE IGNORE TABLE `shop`.`my``t` ADD c INT"),
        ("shop", "truncate orders"),
        ("shop", "DROP TABLE IF EXISTS `a`, other.b /* generated by server */"),
        ("shop", "RENAME TABLE a TO a_old, b TO b_old"),
        ("db", "CREATE TABLE t (id INT)"),
        ("db", "XA START 'x'"),
        ("db", "BEGIN"),
        ("db", "ALTER TABLE \"q\".t # comment\n RENAME TO u"),
    ]
    return [f"{db}\n{sql}".encode() for db, sql in statements]


def copy_text() -> list[bytes]:
    return [
        b"1\tSeattle, US\t2021-09-01\n2\t\\N\t\\\\x00ff\n",
        b"tab\\there\t\\n\\r\\b\\f\\v\\\\\t\xc3\xbc\n\n\\N\n",
        b"no newline at the end",
    ]


def main() -> None:
    write("binlog_rows", binlog_rows())
    write("binlog_compressed", binlog_compressed())
    write("mysql_json", mysql_json())
    write("pgoutput", pgoutput())
    write("kafka_envelope", kafka_envelope())
    write("flow_sql", flow_sql())
    write("pipeline_config", pipeline_config())
    write("binlog_ddl", binlog_ddl())
    write("copy_text", copy_text())


if __name__ == "__main__":
    main()

namespace Berth.Scanning.Tests.Advisories;

/// <summary>Hand-written OSV documents shaped like the real feeds (osv.dev exports of each database).</summary>
internal static class Fixtures
{
    // Debian security tracker: DSA naming the source package, per release, CVEs as "upstream".
    public const string DebianDsa = """
        {
          "schema_version": "1.7.0",
          "id": "DSA-5678-1",
          "summary": "glibc - security update",
          "details": "Several vulnerabilities were discovered in the GNU C Library.",
          "upstream": ["CVE-2024-2961", "CVE-2024-33599"],
          "published": "2024-04-24T00:00:00Z",
          "modified": "2024-05-01T12:00:00Z",
          "affected": [
            {
              "package": { "ecosystem": "Debian:12", "name": "glibc", "purl": "pkg:deb/debian/glibc?arch=source" },
              "ranges": [ { "type": "ECOSYSTEM", "events": [ { "introduced": "0" }, { "fixed": "2.36-9+deb12u6" } ] } ]
            },
            {
              "package": { "ecosystem": "Debian:11", "name": "glibc", "purl": "pkg:deb/debian/glibc?arch=source" },
              "ranges": [ { "type": "ECOSYSTEM", "events": [ { "introduced": "0" }, { "fixed": "2.31-13+deb11u9" } ] } ]
            }
          ]
        }
        """;

    // Alpine secdb as exported to OSV: per-branch ecosystem, origin package, -rN revisions.
    public const string Alpine = """
        {
          "id": "ALPINE-CVE-2023-5363",
          "aliases": ["CVE-2023-5363"],
          "modified": "2023-11-01T00:00:00Z",
          "affected": [
            {
              "package": { "ecosystem": "Alpine:v3.18", "name": "openssl" },
              "ranges": [ { "type": "ECOSYSTEM", "events": [ { "introduced": "0" }, { "fixed": "3.1.4-r0" } ] } ]
            }
          ]
        }
        """;

    // GitHub advisory: SEMVER range with two vulnerable intervals, CVSS v3.1 vector, textual severity.
    public const string GhsaNpm = """
        {
          "schema_version": "1.4.0",
          "id": "GHSA-p6mc-m468-83gw",
          "aliases": ["CVE-2020-8203"],
          "summary": "Prototype Pollution in lodash",
          "severity": [ { "type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H" } ],
          "affected": [
            {
              "package": { "ecosystem": "npm", "name": "lodash" },
              "ranges": [
                {
                  "type": "SEMVER",
                  "events": [ { "introduced": "3.7.0" }, { "fixed": "4.17.19" }, { "introduced": "0" }, { "fixed": "3.0.0" } ]
                }
              ],
              "database_specific": { "source": "https://github.com/advisories/GHSA-p6mc-m468-83gw/GHSA-p6mc-m468-83gw.json" }
            }
          ],
          "database_specific": { "cwe_ids": ["CWE-1321"], "severity": "HIGH", "github_reviewed": true },
          "x_unknown_extension": { "anything": [1, 2, 3] }
        }
        """;

    // GitHub advisory with only a CVSS v4 vector (not scored here) and the textual severity.
    public const string GhsaNpmV4 = """
        {
          "id": "GHSA-29mw-wpgm-hmr9",
          "aliases": ["CVE-2020-28500"],
          "summary": "Regular Expression Denial of Service (ReDoS) in lodash",
          "severity": [ { "type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N" } ],
          "affected": [
            {
              "package": { "ecosystem": "npm", "name": "lodash" },
              "ranges": [ { "type": "SEMVER", "events": [ { "introduced": "4.0.0" }, { "fixed": "4.17.21" } ] } ]
            }
          ],
          "database_specific": { "severity": "MODERATE" }
        }
        """;

    // PyPI advisory: ECOSYSTEM range closed by last_affected (no fix), project name spelled differently.
    public const string PyPi = """
        {
          "id": "PYSEC-2024-0001",
          "aliases": ["CVE-2024-22195", "GHSA-h5c8-rqwp-cp95"],
          "summary": "Jinja vulnerable to HTML attribute injection",
          "severity": [ { "type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N" } ],
          "affected": [
            {
              "package": { "ecosystem": "PyPI", "name": "Jinja2", "purl": "pkg:pypi/jinja2" },
              "ranges": [ { "type": "ECOSYSTEM", "events": [ { "introduced": "2.0" }, { "last_affected": "3.1.2" } ] } ]
            }
          ]
        }
        """;

    // Maven advisory: explicit versions list next to an ECOSYSTEM range, and a GIT range that must be ignored.
    public const string Maven = """
        {
          "id": "GHSA-jfh8-c2jp-5v3q",
          "aliases": ["CVE-2021-44228"],
          "summary": "Remote code injection in Log4j",
          "severity": [ { "type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H" } ],
          "affected": [
            {
              "package": { "ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core" },
              "ranges": [
                { "type": "ECOSYSTEM", "events": [ { "introduced": "2.13.0" }, { "fixed": "2.15.0" } ] },
                { "type": "GIT", "repo": "https://github.com/apache/logging-log4j2", "events": [ { "introduced": "0" }, { "fixed": "c77b3cb39312b83b053d23a2158b99ac7de44dd3" } ] }
              ],
              "versions": ["2.0-beta9", "2.0-rc1", "2.0", "2.1", "2.12.1"]
            }
          ]
        }
        """;

    // A GitHub advisory later withdrawn: it must never match.
    public const string Withdrawn = """
        {
          "id": "GHSA-wwww-wwww-wwww",
          "aliases": ["CVE-2099-0001"],
          "withdrawn": "2023-06-01T00:00:00Z",
          "affected": [
            {
              "package": { "ecosystem": "npm", "name": "lodash" },
              "ranges": [ { "type": "SEMVER", "events": [ { "introduced": "0" } ] } ]
            }
          ]
        }
        """;

    public static string All => $"[{string.Join(",", DebianDsa, Alpine, GhsaNpm, GhsaNpmV4, PyPi, Maven, Withdrawn)}]";
}

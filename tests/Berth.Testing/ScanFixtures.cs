using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Core.Distribution;
using Berth.Scanning.Inventory;

namespace Berth.Testing;

/// <summary>
/// Test images with real-format package databases (dpkg, apk, rpm's sqlite) and application manifests, written as OCI
/// layouts for skopeo, and a small OSV advisory set written for them: every expected finding is spelled out here.
/// </summary>
public static class ScanFixtures
{
    /// <summary>Debian 12: dpkg packages, an npm lockfile, and an npm package a second layer whites out.</summary>
    public static (string Digest, long Size) WriteDebianImage(string layoutDir, string tag, string extra = "") => WriteImage(layoutDir, tag, "amd64",
        Gzip(new TestLayer()
            .File("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n")
            .File("var/lib/dpkg/status", """
                Package: libssl3
                Status: install ok installed
                Source: openssl
                Version: 3.0.11-1~deb12u1

                Package: libc6
                Status: install ok installed
                Source: glibc
                Version: 2.36-9+deb12u1

                Package: zlib1g
                Status: install ok installed
                Source: zlib
                Version: 1:1.2.13.dfsg-1

                Package: tzdata
                Status: install ok installed
                Version: 2024a-0+deb12u1

                """)
            .File("usr/lib/node_modules/minimist/package.json", """{"name":"minimist","version":"1.2.5"}""")
            .File("srv/app/package-lock.json", """
                {"name":"app","lockfileVersion":3,"packages":{"":{"name":"app"},"node_modules/lodash":{"version":"4.17.20"}}}
                """)),
        Gzip(new TestLayer()
            .Marker("usr/lib/node_modules/.wh.minimist")
            .File("srv/app/index.js", "console.log('hello " + extra + "');\n")));

    /// <summary>Debian 12 with one package, <c>berth-probe</c>, that only <see cref="ProbeAdvisory"/> names.</summary>
    public static (string Digest, long Size) WriteProbeImage(string layoutDir, string tag) => WriteImage(layoutDir, tag, "amd64",
        Gzip(new TestLayer()
            .File("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
            .File("var/lib/dpkg/status", "Package: berth-probe\nStatus: install ok installed\nVersion: 1.0-1\n\n")));

    /// <summary>Alpine 3.19 (an uncompressed layer): apk packages and a Python distribution.</summary>
    public static (string Digest, long Size) WriteAlpineImage(string layoutDir, string tag) => WriteImage(layoutDir, tag, "arm64",
        Uncompressed(new TestLayer()
            .File("etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n")
            .File("lib/apk/db/installed", "P:libcrypto3\nV:3.1.4-r0\no:openssl\n\nP:busybox\nV:1.36.1-r15\no:busybox\n\n")
            .File("usr/lib/python3.11/site-packages/requests-2.30.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: requests\nVersion: 2.30.0\n")));

    /// <summary>Rocky Linux 9: rpm's sqlite database and a .NET application's deps.json.</summary>
    public static (string Digest, long Size) WriteRockyImage(string layoutDir, string tag) => WriteImage(layoutDir, tag, "amd64",
        Gzip(new TestLayer()
            .File("etc/os-release", "NAME=\"Rocky Linux\"\nID=\"rocky\"\nVERSION_ID=\"9.3\"\n")
            .File("var/lib/rpm/rpmdb.sqlite", RpmDb.RpmDatabase(
                RpmDb.RpmHeader("openssl-libs", "3.0.7", "24.el9", epoch: 1, "openssl-3.0.7-24.el9.src.rpm"),
                RpmDb.RpmHeader("bash", "5.1.8", "6.el9_1", epoch: null, "bash-5.1.8-6.el9_1.src.rpm")))
            .File("app/Api.deps.json", """
                {"libraries":{"Api/1.0.0":{"type":"project"},"System.Text.Json/8.0.0":{"type":"package"}}}
                """)));

    /// <summary>An OCI index of two platform images under <paramref name="tag"/>.</summary>
    public static (string Digest, long Size) WriteIndex(string layoutDir, string tag, params (string Digest, long Size, string Architecture)[] images)
    {
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = new JsonArray([.. images.Select(i =>
            {
                var descriptor = OciImageBuilder.Descriptor(MediaTypes.OciManifest, i.Digest, i.Size);
                descriptor["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = i.Architecture };
                return (JsonNode)descriptor;
            })]),
        };
        var bytes = Encoding.UTF8.GetBytes(index.ToJsonString());
        var digest = OciLayout.WriteBlob(layoutDir, bytes);
        OciLayout.AddToIndex(layoutDir, MediaTypes.OciIndex, digest, bytes.LongLength, tag);
        return (digest, bytes.LongLength);
    }

    /// <summary>A layer whose bytes are not what its media type says (random bytes labelled tar+gzip).</summary>
    public static (byte[] Blob, string MediaType, string DiffId) Garbage() =>
        (RandomNumberGenerator.GetBytes(512), LayerReader.OciLayerGzip, "sha256:" + new string('0', 64));

    public static (string Digest, long Size) WriteImage(string layoutDir, string tag, string architecture, params (byte[] Blob, string MediaType, string DiffId)[] layers)
    {
        OciLayout.Initialise(layoutDir);
        var config = new JsonObject
        {
            ["architecture"] = architecture,
            ["os"] = "linux",
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray([.. layers.Select(l => (JsonNode)JsonValue.Create(l.DiffId)!)]) },
        };
        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = OciImageBuilder.Descriptor(OciImageBuilder.ConfigMediaType, OciLayout.WriteBlob(layoutDir, configBytes), configBytes.LongLength),
            ["layers"] = new JsonArray([.. layers.Select(l => (JsonNode)OciImageBuilder.Descriptor(l.MediaType, OciLayout.WriteBlob(layoutDir, l.Blob), l.Blob.LongLength))]),
        };
        var bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        var digest = OciLayout.WriteBlob(layoutDir, bytes);
        OciLayout.AddToIndex(layoutDir, MediaTypes.OciManifest, digest, bytes.LongLength, tag);
        return (digest, bytes.LongLength);
    }

    private static (byte[] Blob, string MediaType, string DiffId) Gzip(TestLayer layer)
    {
        var tar = layer.Tar();
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar);
        }

        return (buffer.ToArray(), LayerReader.OciLayerGzip, DiffId(tar));
    }

    private static (byte[] Blob, string MediaType, string DiffId) Uncompressed(TestLayer layer)
    {
        var tar = layer.Tar();
        return (tar, LayerReader.OciLayerTar, DiffId(tar));
    }

    private static string DiffId(byte[] tar) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar));

    // Severity vectors with well-known CVSS 3.1 base scores: 9.8, 8.8, 7.5, 5.9.
    private const string Critical98 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    private const string High88 = "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H";
    private const string High75 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
    private const string Medium59 = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N";

    /// <summary>The advisory set: what each image must (and must not) match is in the comments.</summary>
    public static readonly string Advisories = $$"""
        [
          {"id":"DSA-9001-1","summary":"openssl - security update","upstream":["CVE-2099-0001"],"modified":"2099-01-02T00:00:00Z",
           "severity":[{"type":"CVSS_V3","score":"{{Critical98}}"}],
           "affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},
             "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.13-1~deb12u1"}]}]}]},
          {"id":"DSA-9002-1","summary":"glibc - security update","upstream":["CVE-2099-0002"],"modified":"2099-01-03T00:00:00Z",
           "database_specific":{"severity":"high"},
           "affected":[{"package":{"ecosystem":"Debian:12","name":"glibc"},
             "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.36-9+deb12u6"}]}]}]},
          {"id":"DSA-9003-1","summary":"zlib: installed version is the fix","modified":"2099-01-04T00:00:00Z",
           "affected":[{"package":{"ecosystem":"Debian:12","name":"zlib"},
             "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:1.2.13.dfsg-1"}]}]}]},
          {"id":"DSA-9099-1","summary":"withdrawn: never a finding","modified":"2099-01-05T00:00:00Z","withdrawn":"2099-01-06T00:00:00Z",
           "affected":[{"package":{"ecosystem":"Debian:12","name":"tzdata"},
             "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]},
          {"id":"GHSA-9001-lodash","aliases":["CVE-2099-1001"],"summary":"Command injection in lodash","modified":"2099-01-02T00:00:00Z",
           "severity":[{"type":"CVSS_V3","score":"{{High88}}"}],
           "affected":[{"package":{"ecosystem":"npm","name":"lodash"},
             "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]}]},
          {"id":"GHSA-9002-minimist","aliases":["CVE-2099-1002"],"summary":"Prototype pollution in minimist (whited out of the image)","modified":"2099-01-02T00:00:00Z",
           "severity":[{"type":"CVSS_V3","score":"{{Critical98}}"}],
           "affected":[{"package":{"ecosystem":"npm","name":"minimist"},
             "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.6"}]}]}]},
          {"id":"ALPINE-CVE-2099-0003","aliases":["CVE-2099-0003"],"modified":"2099-01-02T00:00:00Z",
           "severity":[{"type":"CVSS_V3","score":"{{Medium59}}"}],
           "affected":[{"package":{"ecosystem":"Alpine:v3.19","name":"openssl"},
             "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.1.4-r5"}]}]}]},
          {"id":"PYSEC-2099-1","aliases":["CVE-2099-2001"],"summary":"requests leaks Proxy-Authorization","modified":"2099-01-02T00:00:00Z",
           "affected":[{"package":{"ecosystem":"PyPI","name":"requests"},
             "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.31.0"}]}]}]},
          {"id":"RLSA-2099:0001","summary":"Important: openssl security update","modified":"2099-01-02T00:00:00Z",
           "database_specific":{"severity":"Important"},
           "affected":[{"package":{"ecosystem":"Rocky Linux:9","name":"openssl-libs"},
             "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:3.0.7-27.el9"}]}]}]},
          {"id":"GHSA-9003-stj","aliases":["CVE-2099-3001"],"summary":"System.Text.Json denial of service","modified":"2099-01-02T00:00:00Z",
           "severity":[{"type":"CVSS_V3","score":"{{High75}}"}],
           "affected":[{"package":{"ecosystem":"NuGet","name":"System.Text.Json"},
             "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"8.0.4"}]}]}]}
        ]
        """;

    /// <summary>
    /// Imported later by one test: a new advisory for a package only <see cref="WriteProbeImage"/> has, so other tests'
    /// images (sharing the server's advisory database) never match it.
    /// </summary>
    public const string ProbeAdvisory = """
        {"id":"DSA-9004-1","summary":"berth-probe - security update","modified":"2099-02-01T00:00:00Z",
         "affected":[{"package":{"ecosystem":"Debian:12","name":"berth-probe"},
           "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0-2"}]}]}]}
        """;

    /// <summary>An advisory for a package no test image has (for imports whose effect on findings must be nil).</summary>
    public const string UnmatchedAdvisory = """
        {"id":"DSA-9005-1","summary":"nothing installed - security update","modified":"2099-02-02T00:00:00Z",
         "affected":[{"package":{"ecosystem":"Debian:12","name":"not-installed-anywhere"},
           "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0-2"}]}]}]}
        """;

    /// <summary>(advisory, package, installed, fixed, severity, CVSS score) each image must produce, and nothing else.</summary>
    public static readonly (string Advisory, string Package, string Installed, string? Fixed, string Severity, double? Score)[] DebianFindings =
    [
        ("DSA-9001-1", "libssl3", "3.0.11-1~deb12u1", "3.0.13-1~deb12u1", "critical", 9.8),
        ("DSA-9002-1", "libc6", "2.36-9+deb12u1", "2.36-9+deb12u6", "high", null),
        ("GHSA-9001-lodash", "lodash", "4.17.20", "4.17.21", "high", 8.8),
    ];

    public static readonly (string Advisory, string Package, string Installed, string? Fixed, string Severity, double? Score)[] AlpineFindings =
    [
        ("ALPINE-CVE-2099-0003", "libcrypto3", "3.1.4-r0", "3.1.4-r5", "medium", 5.9),
        ("PYSEC-2099-1", "requests", "2.30.0", "2.31.0", "unknown", null),
    ];

    public static readonly (string Advisory, string Package, string Installed, string? Fixed, string Severity, double? Score)[] RockyFindings =
    [
        ("RLSA-2099:0001", "openssl-libs", "1:3.0.7-24.el9", "1:3.0.7-27.el9", "high", null),
        ("GHSA-9003-stj", "System.Text.Json", "8.0.0", "8.0.4", "high", 7.5),
    ];
}

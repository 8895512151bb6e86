using Berth.Scanning.Inventory;
using Berth.Testing;

namespace Berth.Scanning.Tests.Inventory;

public class OsPackageTests
{
    private const string DpkgStatus = """
        Package: libc6
        Status: install ok installed
        Architecture: amd64
        Source: glibc (2.36-9+deb12u4)
        Version: 2.36-9+deb12u4
        Description: GNU C Library: Shared libraries
         Contains the standard libraries that are used by nearly all programs on
         the system.

        Package: base-files
        Status: install ok installed
        Version: 12.4+deb12u5

        Package: oldtool
        Status: deinstall ok config-files
        Version: 1.0-1

        """;

    [Fact]
    public async Task DebianWithDistrolessStatusDirectoryAndWhiteouts()
    {
        var lower = new TestLayer()
            .File("usr/lib/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n")
            .Symlink("etc/os-release", "../usr/lib/os-release")
            .File("var/lib/dpkg/status", DpkgStatus)
            .File("var/lib/dpkg/status.d/tzdata", "Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n")
            .File("var/lib/dpkg/status.d/tzdata.md5sums", "d41d8cd98f00b204e9800998ecf8427e  usr/share/zoneinfo/UTC\n")
            .File("var/lib/dpkg/status.d/netbase", "Package: netbase\nVersion: 6.4\n")
            .File("opt/app/node_modules/left-pad/package.json", """{"name":"left-pad","version":"1.3.0"}""")
            .Gzip(LayerReader.DockerLayerGzip);
        var upper = new TestLayer()
            .Marker("./var/lib/dpkg/status.d/.wh.tzdata")
            .File("./opt/app/node_modules/is-odd/package.json", """{"name":"is-odd","version":"3.0.1"}""")
            .Marker("./opt/app/.wh..wh..opq")
            .Zstd();

        var inventory = await PackageInventory.BuildAsync([lower, upper], CancellationToken.None);

        Assert.Equal(new OsInfo("debian", "12", "Debian", "12"), inventory.Os);
        Assert.Equal(
            [
                new Package("Debian", "base-files", "12.4+deb12u5", "12", "base-files", "var/lib/dpkg/status"),
                new Package("Debian", "libc6", "2.36-9+deb12u4", "12", "glibc", "var/lib/dpkg/status"),
                new Package("Debian", "netbase", "6.4", "12", "netbase", "var/lib/dpkg/status.d/netbase"),
                new Package("npm", "is-odd", "3.0.1", null, null, "opt/app/node_modules/is-odd/package.json"),
            ],
            inventory.Packages);
    }

    [Fact]
    public async Task UbuntuPackagesTakeTheUbuntuEcosystem()
    {
        var layer = new TestLayer()
            .File("etc/os-release", "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\n")
            .File("var/lib/dpkg/status", "Package: bash\nStatus: install ok installed\nVersion: 5.1-6ubuntu1\n")
            .Uncompressed();

        var inventory = await PackageInventory.BuildAsync([layer], CancellationToken.None);

        Assert.Equal([new Package("Ubuntu", "bash", "5.1-6ubuntu1", "22.04", "bash", "var/lib/dpkg/status")], inventory.Packages);
    }

    [Fact]
    public async Task Alpine()
    {
        var layer = new TestLayer()
            .File("etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n")
            .File("lib/apk/db/installed", """
                C:Q1abc=
                P:musl
                V:1.2.4_git20230717-r4
                A:x86_64
                o:musl

                C:Q1def=
                P:libcrypto3
                V:3.1.4-r5
                o:openssl
                """)
            .Gzip();

        var inventory = await PackageInventory.BuildAsync([layer], CancellationToken.None);

        Assert.Equal(new OsInfo("alpine", "3.19.1", "Alpine", "v3.19"), inventory.Os);
        Assert.Equal(
            [
                new Package("Alpine", "libcrypto3", "3.1.4-r5", "v3.19", "openssl", "lib/apk/db/installed"),
                new Package("Alpine", "musl", "1.2.4_git20230717-r4", "v3.19", "musl", "lib/apk/db/installed"),
            ],
            inventory.Packages);
    }

    [Fact]
    public async Task RpmSqliteDatabase()
    {
        var layer = new TestLayer()
            .File("etc/os-release", "NAME=\"Rocky Linux\"\nID=\"rocky\"\nVERSION_ID=\"9.3\"\n")
            .File("var/lib/rpm/rpmdb.sqlite", RpmDb.RpmDatabase(
                RpmDb.RpmHeader("openssl-libs", "3.0.7", "24.el9", epoch: 1, "openssl-3.0.7-24.el9.src.rpm"),
                RpmDb.RpmHeader("bash", "5.1.8", "6.el9_1", epoch: null, "bash-5.1.8-6.el9_1.src.rpm"),
                RpmDb.RpmHeader("gpg-pubkey", "350d275d", "6279464b", epoch: null, sourceRpm: null)))
            .Gzip();

        var inventory = await PackageInventory.BuildAsync([layer], CancellationToken.None);

        Assert.Equal(new OsInfo("rocky", "9.3", "Rocky Linux", "9"), inventory.Os);
        Assert.Equal(
            [
                new Package("Rocky Linux", "bash", "5.1.8-6.el9_1", "9", "bash", "var/lib/rpm/rpmdb.sqlite"),
                new Package("Rocky Linux", "openssl-libs", "1:3.0.7-24.el9", "9", "openssl", "var/lib/rpm/rpmdb.sqlite"),
            ],
            inventory.Packages);
    }

    [Theory]
    [InlineData("debian", "12", "Debian", "12")]
    [InlineData("debian", null, "Debian", null)]
    [InlineData("ubuntu", "24.04", "Ubuntu", "24.04")]
    [InlineData("alpine", "3.20.0", "Alpine", "v3.20")]
    [InlineData("rhel", "9.4", "Red Hat", "9")]
    [InlineData("almalinux", "8.10", "AlmaLinux", "8")]
    [InlineData("fedora", "40", "Fedora", "40")]
    [InlineData("amzn", "2023", "Amazon Linux", "2023")]
    [InlineData("arch", null, null, null)]
    public void OsNamesFollowOsv(string id, string? versionId, string? ecosystem, string? release) =>
        Assert.Equal((ecosystem, release), OsReleaseAnalyser.Name(id, versionId));
}

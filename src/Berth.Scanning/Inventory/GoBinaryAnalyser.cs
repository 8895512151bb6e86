using System.Text;

namespace Berth.Scanning.Inventory;

/// <summary>
/// Go executables carry their module graph in a build-info blob (what `go version -m` prints). Only the Go 1.18+ layout
/// with inline strings is read; older binaries, which point into the data segment instead, are skipped.
/// </summary>
internal sealed class GoBinaryAnalyser : IFileAnalyser
{
    private const string Ecosystem = "Go";
    private const UnixFileMode Executable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private const int HeaderSize = 32;
    private const byte FlagInlineStrings = 0x2;

    private static ReadOnlySpan<byte> ElfMagic => [0x7f, (byte)'E', (byte)'L', (byte)'F'];
    // Spelled out: in a C# u8 literal "\xff" would be UTF-8 encoded as two bytes.
    private static ReadOnlySpan<byte> BuildInfoMagic =>
        [0xff, (byte)' ', (byte)'G', (byte)'o', (byte)' ', (byte)'b', (byte)'u', (byte)'i', (byte)'l', (byte)'d', (byte)'i', (byte)'n', (byte)'f', (byte)':'];

    public bool Wants(LayerFile file) => (file.Mode & Executable) != 0;

    public FileFinding? Analyse(string path, byte[] content)
    {
        if (!content.AsSpan().StartsWith(ElfMagic) || FindBuildInfo(content) is not { } info)
        {
            return null;
        }

        var (goVersion, modInfo) = info;
        var packages = new List<Package> { new(Ecosystem, "stdlib", GoVersion(goVersion), null, null, path) };
        foreach (var line in modInfo.Split('\n'))
        {
            var fields = line.Split('\t');
            switch (fields)
            {
                // The main module of a binary built from a checkout is "(devel)": no version an advisory could match.
                case ["mod", var module, var version, ..] when version != "(devel)":
                    packages.Add(new Package(Ecosystem, module, version, null, null, path));
                    break;
                case ["dep", var module, var version, ..]:
                    packages.Add(new Package(Ecosystem, module, version, null, null, path));
                    break;
                // A replace directive follows the dep it applies to; the code actually linked is the replacement.
                case ["=>", var module, var version, ..] when packages.Count > 1:
                    packages[^1] = packages[^1] with { Name = module, Version = version };
                    break;
            }
        }
        return FileFinding.ForPackages(packages);
    }

    /// <summary>
    /// The 32-byte header is the 14-byte magic, the pointer size, a flags byte, then padding; with inline strings the Go
    /// version and the module info follow as uvarint-length-prefixed strings.
    /// </summary>
    private static (string GoVersion, string ModInfo)? FindBuildInfo(byte[] content)
    {
        var from = 0;
        while (from < content.Length)
        {
            var at = content.AsSpan(from).IndexOf(BuildInfoMagic);
            if (at < 0)
            {
                return null;
            }

            var start = from + at;
            from = start + 1;
            if (start + HeaderSize > content.Length || (content[start + 15] & FlagInlineStrings) == 0)
            {
                continue;
            }

            var position = start + HeaderSize;
            if (ReadString(content, ref position) is { } version && ReadString(content, ref position) is { } modInfo)
            {
                return (Encoding.UTF8.GetString(version), Encoding.UTF8.GetString(StripSentinels(modInfo)));
            }
        }
        return null;
    }

    private static ArraySegment<byte>? ReadString(byte[] content, ref int position)
    {
        ulong length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (position >= content.Length || shift > 28)
            {
                return null;
            }

            var b = content[position++];
            length |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                break;
            }
        }
        if (length > (ulong)(content.Length - position))
        {
            return null;
        }

        var text = new ArraySegment<byte>(content, position, (int)length);
        position += (int)length;
        return text;
    }

    /// <summary>
    /// The linker wraps the module info in 16 binary sentinel bytes on each side (not valid UTF-8, so stripped before
    /// decoding); the test is Go's own debug/buildinfo one.
    /// </summary>
    private static ArraySegment<byte> StripSentinels(ArraySegment<byte> modInfo) =>
        modInfo.Count >= 33 && modInfo[^17] == (byte)'\n' ? modInfo[16..^16] : modInfo;

    /// <summary>"go1.22.1 X:boringcrypto" → "v1.22.1", so stdlib's version reads like a module version.</summary>
    private static string GoVersion(string goVersion)
    {
        var version = goVersion.Split(' ')[0];
        return "v" + (version.StartsWith("go", StringComparison.Ordinal) ? version[2..] : version);
    }
}

using Berth.Registry.Hosting;

namespace Berth.Registry.KeyRing;

/// <summary>
/// The AES-256 key that encrypts the data-protection key ring at rest: <c>Berth:DataProtection:Key</c>, or on the one
/// embedded (SQLite) node, when that is unset, a random key generated once into <c>&lt;DataDir&gt;/data-protection.key</c>
/// (owner-only) and read again on every start.
/// </summary>
public sealed partial class KeyRingSecret(IOptions<BerthOptions> options, ILogger<KeyRingSecret> logger)
{
    public const string FileName = "data-protection.key";

    private readonly Lazy<byte[]> _key = new(() => Load(options.Value, logger));

    public byte[] Key => _key.Value;

    private static byte[] Load(BerthOptions options, ILogger logger)
    {
        // Validated on start: set means well-formed, and unset happens only with SQLite.
        if (KeyRingOptions.Decode(options.DataProtection.Key) is { } configured)
        {
            return configured;
        }

        var path = Path.Combine(Path.GetFullPath(options.DataDir), FileName);
        try
        {
            var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(KeyRingOptions.KeyBytes);
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                // Owner-only from the moment it exists (mode 0600): never readable by others, even briefly.
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(path, create))
            {
                file.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
                file.Flush(flushToDisk: true);
            }

            LogGenerated(logger, path);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Generated on an earlier start: the keys it encrypted are only readable with it.
            return KeyRingOptions.Decode(File.ReadAllText(path))
                ?? throw new InvalidOperationException($"{path} does not hold base64 of {KeyRingOptions.KeyBytes} bytes; restore it from a backup (the dashboard's keys are encrypted with it).");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated the key that encrypts the dashboard's key ring: {Path} (set Berth:DataProtection:Key to choose it; required with PostgreSQL)")]
    private static partial void LogGenerated(ILogger logger, string path);
}

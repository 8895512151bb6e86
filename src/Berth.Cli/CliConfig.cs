using System.Text.Json;

namespace Berth.Cli;

/// <summary>
/// Where the client talks to and as whom, with <paramref name="Secret"/> a password or a personal access token (both go
/// as the Basic password). Resolution: the environment variables <c>BERTH_URL</c>, <c>BERTH_USERNAME</c> and
/// <c>BERTH_PASSWORD</c> override the config file written by <c>berth login</c>, which holds a token.
/// </summary>
public sealed record CliConfig(string Url, string Username, string Secret)
{
    public const string DefaultUrl = "http://127.0.0.1:5000";
    public const string DefaultUsername = "admin";

    public const string UrlVariable = "BERTH_URL";
    public const string UsernameVariable = "BERTH_USERNAME";
    public const string PasswordVariable = "BERTH_PASSWORD";

    /// <summary><c>$BERTH_CONFIG</c>, else <c>$XDG_CONFIG_HOME/berth/config.json</c>, else <c>~/.config/berth/config.json</c>.</summary>
    public static string FilePath
    {
        get
        {
            if (Env("BERTH_CONFIG") is { } explicitPath)
            {
                return Path.GetFullPath(explicitPath);
            }

            var configHome = Env("XDG_CONFIG_HOME")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(configHome, "berth", "config.json");
        }
    }

    /// <summary>
    /// The effective configuration for API commands. Each environment variable overrides its field of the file;
    /// the file's credentials are only used for the file's own URL, so <c>BERTH_URL=https://other</c> never
    /// sends the saved password to another server. The username defaults to <c>admin</c>.
    /// </summary>
    public static CliConfig Resolve()
    {
        var file = LoadFile();
        var envUrl = Env(UrlVariable) is { } u ? NormalizeUrl(u) : null;
        var fileUrl = file?.Url is { Length: > 0 } f ? NormalizeUrl(f) : null;
        var url = envUrl ?? fileUrl;
        var fileApplies = file is not null && url == fileUrl;

        var username = Env(UsernameVariable) ?? (fileApplies ? file!.Username : null) ?? DefaultUsername;
        var secret = Env(PasswordVariable) ?? (fileApplies ? file!.Token : null);

        if (url is null || string.IsNullOrEmpty(secret))
        {
            throw new CliException(
                $"not logged in (no server URL and credentials in {FilePath}); "
                + $"run `berth login` or set {UrlVariable}/{UsernameVariable}/{PasswordVariable}");
        }

        return new CliConfig(url, username, secret);
    }

    /// <summary>The config file's contents, or null when there is none.</summary>
    public static StoredConfig? LoadFile()
    {
        var path = FilePath;
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), CliJsonContext.Default.StoredConfig);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read config file {path}: {e.Message}", e);
        }
    }

    /// <summary>Writes the config file, readable only by the current user (mode 600, directory 700).</summary>
    public static string Save(StoredConfig stored)
    {
        var path = FilePath;
        var directory = Path.GetDirectoryName(path)!;
        var json = JsonSerializer.Serialize(stored, CliJsonContext.Default.StoredConfig);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
                File.WriteAllText(path, json + Environment.NewLine);
                return path;
            }

            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            // Write a private temporary file and rename it over the old one: the token is never readable by
            // others, not even briefly, and a crash cannot leave a half-written config behind.
            var temporary = Path.Combine(directory, $".config.{Environment.ProcessId}.tmp");
            var options = new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using (var writer = new StreamWriter(temporary, options))
            {
                writer.WriteLine(json);
            }

            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temporary, path, overwrite: true);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write config file {path}: {e.Message}", e);
        }
    }

    /// <summary>Accepts <c>host:port</c> (http assumed) or an http(s) URL; drops the trailing slash.</summary>
    public static string NormalizeUrl(string url)
    {
        var candidate = url.Trim();
        if (!candidate.Contains("://", StringComparison.Ordinal))
        {
            candidate = "http://" + candidate;
        }

        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            throw new CliException($"invalid server URL '{url}': expected http://HOST:PORT or https://HOST");
        }

        return candidate.TrimEnd('/');
    }

    /// <summary>Names of the BERTH_* variables that are set (they override the config file).</summary>
    public static IEnumerable<string> OverridingVariables() =>
        new[] { UrlVariable, UsernameVariable, PasswordVariable }.Where(name => Env(name) is not null);

    /// <summary>Never prints the secret (the generated record ToString would).</summary>
    public override string ToString() => $"CliConfig {{ Url = {Url}, Username = {Username}, Secret = *** }}";

    private static string? Env(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}

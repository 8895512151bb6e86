using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Berth.Testing;

/// <summary>
/// Runs skopeo with an isolated policy, registries.conf and auth file. Registry references are plain HTTP
/// (<c>--*-tls-verify=false</c>); credentials are passed per command (<c>--creds user:pass</c>).
/// </summary>
public sealed class Skopeo
{
    private readonly ContainerTools _tools;

    public Skopeo(string workDir)
    {
        _tools = new ContainerTools(workDir);
    }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(3);

    public Task<ProcessResult> RunAsync(params string[] arguments) => RunAsync((IEnumerable<string>)arguments);

    public Task<ProcessResult> RunAsync(IEnumerable<string> arguments)
    {
        var all = new List<string>
        {
            "--policy", _tools.PolicyPath,
            "--registries.d", _tools.RegistriesDir,
            "--tmpdir", _tools.TmpDir,
        };
        all.AddRange(arguments);
        return ProcessRunner.RunAsync("skopeo", all, _tools.Environment, Timeout);
    }

    /// <summary><c>skopeo copy</c>; creds are <c>user:password</c> for docker:// sides.</summary>
    public Task<ProcessResult> CopyAsync(string source, string destination, string? sourceCreds = null,
        string? destinationCreds = null, params string[] extraArguments)
    {
        var arguments = new List<string> { "copy", "--preserve-digests" };
        if (IsRegistry(source))
        {
            arguments.Add("--src-tls-verify=false");
            arguments.AddRange(sourceCreds is null ? ["--src-no-creds"] : ["--src-creds", sourceCreds]);
        }

        if (IsRegistry(destination))
        {
            arguments.Add("--dest-tls-verify=false");
            arguments.AddRange(destinationCreds is null ? ["--dest-no-creds"] : ["--dest-creds", destinationCreds]);
        }

        arguments.AddRange(extraArguments);
        arguments.Add(source);
        arguments.Add(destination);
        return RunAsync(arguments);
    }

    /// <summary><c>skopeo inspect --raw</c>: the manifest exactly as served.</summary>
    public Task<ProcessResult> InspectRawAsync(string image, string? creds = null) =>
        RunAsync(InspectArguments(image, creds, "--raw"));

    /// <summary><c>skopeo inspect</c> (JSON with Digest, Layers, …).</summary>
    public Task<ProcessResult> InspectAsync(string image, string? creds = null) =>
        RunAsync(InspectArguments(image, creds));

    /// <summary>The manifest digest of an image as skopeo sees it (<c>--format {{.Digest}}</c>).</summary>
    public async Task<string> InspectDigestAsync(string image, string? creds = null)
    {
        var result = (await RunAsync(InspectArguments(image, creds, "--format", "{{.Digest}}"))).EnsureSuccess();
        return result.Stdout.Trim();
    }

    /// <summary>The sha256 digest of the raw manifest bytes served for <paramref name="image"/>.</summary>
    public async Task<string> RawManifestDigestAsync(string image, string? creds = null)
    {
        var result = (await InspectRawAsync(image, creds)).EnsureSuccess();
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(result.Stdout.TrimEnd('\n'))));
    }

    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, string? creds = null)
    {
        var arguments = new List<string> { "list-tags" };
        if (IsRegistry(repository))
        {
            arguments.Add("--tls-verify=false");
            arguments.AddRange(creds is null ? ["--no-creds"] : ["--creds", creds]);
        }

        arguments.Add(repository);
        var result = (await RunAsync(arguments)).EnsureSuccess();
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()!).ToList();
    }

    public Task<ProcessResult> DeleteAsync(string image, string? creds = null)
    {
        var arguments = new List<string> { "delete" };
        if (IsRegistry(image))
        {
            arguments.Add("--tls-verify=false");
            arguments.AddRange(creds is null ? ["--no-creds"] : ["--creds", creds]);
        }

        arguments.Add(image);
        return RunAsync(arguments);
    }

    public static string Docker(string reference) => "docker://" + reference;

    private static List<string> InspectArguments(string image, string? creds, params string[] extra)
    {
        var arguments = new List<string> { "inspect" };
        if (IsRegistry(image))
        {
            arguments.Add("--tls-verify=false");
            arguments.AddRange(creds is null ? ["--no-creds"] : ["--creds", creds]);
        }

        arguments.AddRange(extra);
        arguments.Add(image);
        return arguments;
    }

    private static bool IsRegistry(string reference) => reference.StartsWith("docker://", StringComparison.Ordinal);
}

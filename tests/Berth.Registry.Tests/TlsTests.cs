using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// README "TLS": Berth serving HTTPS itself with Kestrel's certificate settings, as documented — a certificate and key
/// in PEM files (here self-signed by openssl for 127.0.0.1). skopeo pushes to it verifying the certificate
/// (<c>--dest-cert-dir</c>), and the <c>berth</c> CLI manages it over https, trusting the certificate through
/// <c>SSL_CERT_FILE</c> and printing login hints without <c>--tls-verify=false</c>.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly string _work = TempDirs.Create("berth-tls");
    private BerthProcess? _server;

    private string CertDir => Path.Combine(_work, "certs");

    private string CertFile => Path.Combine(_work, "berth.crt");

    private BerthProcess Server => _server!;

    private string Host => Server.Host;

    private Uri HttpsUrl => new($"https://{Host}/");

    public async Task InitializeAsync()
    {
        var key = Path.Combine(_work, "berth.key");
        (await ProcessRunner.RunAsync("openssl",
        [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", CertFile,
        ])).EnsureSuccess();

        // skopeo reads CA certificates as *.crt from a directory per registry.
        Directory.CreateDirectory(CertDir);
        File.Copy(CertFile, Path.Combine(CertDir, "ca.crt"));

        // As the README shows: an https endpoint with the certificate and key files (environment form of the keys).
        _server = await BerthProcess.StartAsync(extraEnvironment: new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Https__Url"] = "https://127.0.0.1:0",
            ["Kestrel__Endpoints__Https__Certificate__Path"] = CertFile,
            ["Kestrel__Endpoints__Https__Certificate__KeyPath"] = key,
        });
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        TempDirs.TryDelete(_work);
    }

    private HttpClient TrustingClient()
    {
        var certificate = X509CertificateLoader.LoadCertificateFromFile(CertFile);
        var handler = new HttpClientHandler
        {
            // Trust exactly this self-signed certificate, nothing else.
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.RawData.AsSpan().SequenceEqual(certificate.RawData),
        };
        return new HttpClient(handler) { BaseAddress = HttpsUrl };
    }

    [Fact]
    public async Task SkopeoPushesOverVerifiedTlsAndTheCliManagesOverHttps()
    {
        var config = Path.Combine(_work, "cli", "config.json");
        var env = new Dictionary<string, string?>
        {
            ["BERTH_URL"] = HttpsUrl.ToString().TrimEnd('/'),
            ["BERTH_USERNAME"] = "admin",
            ["BERTH_PASSWORD"] = Server.AdminPassword,
            ["BERTH_CONFIG"] = config,
            ["SSL_CERT_FILE"] = CertFile,
            ["NO_COLOR"] = "1",
        };
        var project = Names.Unique("tls");
        var registry = Names.Unique("tlsr");
        (await CliRunner.RunAsync(env, null, "project", "create", project)).EnsureSuccess();
        var created = (await CliRunner.RunAsync(env, null, "registry", "create", registry, "--project", project, "--json")).EnsureSuccess();
        var password = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("password").GetString()!;
        var hints = (await CliRunner.RunAsync(env, null, "registry", "reset-password", registry, "--yes")).EnsureSuccess();
        Assert.Contains($"skopeo login {Host} -u {registry}", hints.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("--tls-verify=false", hints.Stdout, StringComparison.Ordinal);
        password = hints.Stdout.Split('\n').Single(l => l.StartsWith("Password:", StringComparison.Ordinal))["Password:".Length..].Trim();

        var skopeo = new Skopeo(Path.Combine(_work, "skopeo"));
        var image = new OciImageBuilder { Seed = 7401, LayerCount = 1, Tag = "v1" }.Build(Path.Combine(_work, "layout"));
        var destination = $"docker://{Host}/{registry}/app:v1";

        // Verified TLS: with the certificate it works; without it, the unknown certificate is refused.
        var untrusted = await skopeo.RunAsync("copy", "--dest-creds", $"{registry}:{password}", image.OciReference, destination);
        Assert.False(untrusted.Succeeded, "skopeo accepted an unknown self-signed certificate: " + untrusted);
        Assert.Contains("certificate", untrusted.Stderr, StringComparison.OrdinalIgnoreCase);
        (await skopeo.RunAsync("copy", "--dest-cert-dir", CertDir, "--dest-creds", $"{registry}:{password}", image.OciReference, destination)).EnsureSuccess();
        var digest = (await skopeo.RunAsync("inspect", "--cert-dir", CertDir, "--creds", $"{registry}:{password}", "--format", "{{.Digest}}", destination)).EnsureSuccess();
        Assert.StartsWith("sha256:", digest.Stdout.Trim(), StringComparison.Ordinal);

        using var http = TrustingClient();
        http.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth("admin", Server.AdminPassword);
        using var tags = await http.GetAsync($"api/v1/registries/{registry}/repositories/app/tags");
        Assert.Equal(HttpStatusCode.OK, tags.StatusCode);
        Assert.Contains("\"v1\"", await tags.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

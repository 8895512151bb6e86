using System.Text.Encodings.Web;
using System.Text.Json;
using Berth.Api;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Berth.Registry.Scanning;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>One manifest (<c>?repository=</c> names its repository, which may contain '/'); developers may untag or delete it (each on its confirmation page).</summary>
public sealed class ManifestModel(
    ProjectAccess access, IArtifactStore artifacts, IAdvisoryStore advisories, RegistryAddressing addressing, RegistryBrowser browser,
    VulnerabilityReports reports, ScanQueue scans) : PageModel
{
    // Relaxed escaping: the page HTML-encodes the text itself, and '+' in media types should read as '+'.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [BindProperty(SupportsGet = true)]
    public string Repository { get; set; } = "";

    public RegistrySummary Summary { get; private set; } = null!;

    public ManifestDetailView Manifest { get; private set; } = null!;

    public bool CanDelete { get; private set; }

    /// <summary>The findings filter (query string, so a filtered view is a link): minimum severity, text, fixable only.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Severity { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Fixable { get; set; }

    /// <summary>Null for artifacts that are not images (signatures, SBOMs, …): they have nothing to scan.</summary>
    public VulnerabilityReportView? Vulnerabilities { get; private set; }

    public bool AdvisoriesEmpty { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    /// <summary>The stored bytes are exact but often minified; indented for reading (the digest is of the original).</summary>
    public string PrettyJson
    {
        get
        {
            try
            {
                using var document = JsonDocument.Parse(Manifest.RawManifest);
                return JsonSerializer.Serialize(document.RootElement, Indented);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                // Not JSON, or a string escape that is not valid UTF-16 (found only when the value is re-encoded).
                return Manifest.RawManifest;
            }
        }
    }

    public async Task OnGetAsync(string name, string digest)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, role) = await access.RequireRegistryAsync(User, name, ProjectRole.Viewer, ct);
        CanDelete = role >= ProjectRole.Developer;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Manifest = await browser.GetManifestAsync(registry, Repository, digest, ct)
            ?? throw new ManagementException(StatusCodes.Status404NotFound, "Manifest not found", $"Repository '{Repository}' of {registry.Name} has no manifest '{digest}'.");
        if (Manifest.ArtifactType is "image" or "index")
        {
            var (repository, manifest) = await reports.RequireManifestAsync(registry, Repository, digest, ct);
            Vulnerabilities = await reports.GetAsync(repository.Id, manifest, new FindingFilter(Severity, Q, Fixable), includePackages: false, ct);
            AdvisoriesEmpty = await advisories.GetAdvisoryVersionAsync(ct) == 0;
        }
    }

    /// <summary>The image's inventory as a CycloneDX SBOM file to save (the same document as the API's …/sbom).</summary>
    public async Task<IActionResult> OnGetSbomAsync(string name, string digest)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Viewer, ct);
        var (repository, manifest) = await reports.RequireManifestAsync(registry, Repository, digest, ct);
        var sbom = await reports.GetSbomAsync(registry, repository, manifest, ct);
        return File(System.Text.Encoding.UTF8.GetBytes(sbom.ToJsonString()), CycloneDxSbom.MediaType, CycloneDxSbom.FileName(repository.Name, manifest.Digest));
    }

    public async Task<IActionResult> OnPostScanAsync(string name, string digest)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Developer, ct);
        var (repository, manifest) = await reports.RequireManifestAsync(registry, Repository, digest, ct);
        var queued = await scans.QueueAsync(repository.Id, manifest, ct);
        Notice = queued.Count == 1 ? "A scan is queued; its findings appear here when it finishes." : $"Scans of {queued.Count} platform images are queued.";
        return new SeeOtherResult(Paths.Manifest(registry.Name, Repository, digest));
    }
}

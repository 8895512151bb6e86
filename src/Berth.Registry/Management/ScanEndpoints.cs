using Berth.Registry.Auditing;
using System.Text.Json;
using Berth.Api;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Registry.Auth;
using Berth.Registry.Hosting;
using Berth.Registry.Scanning;
using Berth.Scanning.Advisories;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Registry.Management;

/// <summary>
/// Vulnerability scanning under <c>/api/v1</c> (see docs/api.md): a manifest's findings (viewers), scanning on demand
/// (developers), and the advisory database (status for everyone signed in, imports for administrators).
/// </summary>
public static class ScanEndpoints
{
    /// <summary>How many images <c>?top=</c> lists by default, and at most.</summary>
    public const int DefaultTop = 10;

    public const int MaxTop = 100;

    private const string Manifests = "/registries/{name}/repositories/{**path:" + RepositoryPathConstraint.Name;

    public static RouteGroupBuilder MapBerthScanningApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Vulnerabilities").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet(Manifests + "(vulnerabilities)}", GetVulnerabilitiesAsync)
            .WithSummary("The vulnerability report of a manifest (by digest or tag); an index has one per platform")
            .WithDocumentedPath("{repository}/manifests/{reference}/vulnerabilities");
        group.MapPost(Manifests + "(scan)}", ScanAsync)
            .WithSummary("Queue a scan of a manifest now (an index: each platform image)")
            .WithDocumentedPath("{repository}/manifests/{reference}/scan")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet(Manifests + "(sbom)}", GetSbomAsync)
            .WithSummary("The package inventory of a scanned image as a CycloneDX 1.5 SBOM (JSON)")
            .WithDocumentedPath("{repository}/manifests/{reference}/sbom")
            .Produces(StatusCodes.Status200OK, contentType: CycloneDxSbom.MediaType)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/registries/{name}/vulnerabilities", GetRegistryVulnerabilitiesAsync)
            .WithSummary("The registry's scanned images summed up: findings by severity (each advisory once), the most affected images, how many were not checked")
            .WithDescription("`?top=` (1–100, default 10) bounds the most affected images. An index counts as one image, each advisory once over its platforms.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/vulndb", GetAdvisoryStatusAsync)
            .WithSummary("What the advisory database holds, per source, and how old it is");
        group.MapPost("/vulndb", ImportAdvisoriesAsync)
            .WithSummary("Import OSV advisories: one document, a JSON array of them, or a zip archive (application/zip)")
            // Not .Accepts(...): a content type it does not list would fall through to the dashboard's fallback page
            // instead of reaching the handler, which answers 415 with a problem that says what to send.
            .WithDescription("Body: OSV JSON (`application/json`: one document or an array) or a zip archive of OSV `.json` files (`application/zip`). `?source=` names the source (default `api`).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return api;
    }

    private static async Task<Ok<VulnerabilityReportView>> GetVulnerabilitiesAsync(
        string name, string path, string? severity, string? q, bool? fixable, bool? packages,
        HttpContext context, ProjectAccess access, VulnerabilityReports reports, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        var (repositoryName, reference) = RepositoryPathConstraint.SplitManifestResource(path, "/vulnerabilities");
        var (repository, manifest) = await reports.RequireManifestAsync(registry, repositoryName, reference, ct);
        if (severity is not null && ScanReport.SeverityOrder(severity.ToLowerInvariant()) == 0 && !severity.Equals("unknown", StringComparison.OrdinalIgnoreCase))
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid severity",
                $"'{severity}' is not a severity: use critical, high, medium, low or unknown.");
        }

        return TypedResults.Ok(await reports.GetAsync(repository.Id, manifest, new FindingFilter(severity, q, fixable ?? false), packages ?? false, ct));
    }

    private static async Task<Accepted<VulnerabilityReportView>> ScanAsync(
        string name, string path, HttpContext context, ProjectAccess access, ScanQueue queue,
        VulnerabilityReports reports, RegistryLifecycle lifecycle, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Developer, ct);
        var (repositoryName, reference) = RepositoryPathConstraint.SplitManifestResource(path, "/scan");
        var (repository, manifest) = await reports.RequireManifestAsync(registry, repositoryName, reference, ct);
        await queue.QueueAsync(repository.Id, manifest, ct);
        await lifecycle.AuditAsync(registry, AuditActor.From(context), "scan.requested", $"{repository.Name}@{manifest.Digest}", ct);
        var location = $"/api/v1/registries/{registry.Name}/repositories/{repository.Name}/manifests/{manifest.Digest}/vulnerabilities";
        return TypedResults.Accepted(location, await reports.GetAsync(repository.Id, manifest, FindingFilter.None, false, ct));
    }

    private static async Task<IResult> GetSbomAsync(
        string name, string path, HttpContext context, ProjectAccess access, VulnerabilityReports reports, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        var (repositoryName, reference) = RepositoryPathConstraint.SplitManifestResource(path, "/sbom");
        var (repository, manifest) = await reports.RequireManifestAsync(registry, repositoryName, reference, ct);
        var sbom = await reports.GetSbomAsync(registry, repository, manifest, ct);
        return Results.Text(sbom.ToJsonString(), CycloneDxSbom.MediaType + "; version=" + CycloneDxSbom.SpecVersion);
    }

    private static async Task<Ok<RegistryVulnerabilities>> GetRegistryVulnerabilitiesAsync(
        string name, int? top, HttpContext context, ProjectAccess access, IScanStore scans, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        if (top is < 1 or > MaxTop)
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid top", $"top must be from 1 to {MaxTop}; it was {top}.");
        }

        return TypedResults.Ok(await scans.GetRegistryVulnerabilitiesAsync(registry.Id, top ?? DefaultTop, ct));
    }

    private static async Task<Ok<AdvisoryDatabaseStatus>> GetAdvisoryStatusAsync(IAdvisoryStore advisories, CancellationToken ct) =>
        TypedResults.Ok(await advisories.GetAdvisoryStatusAsync(ct));

    /// <summary>
    /// Streams the body: JSON is parsed as it arrives; a zip archive is spooled to a temporary file first (its
    /// directory is at the end) and read one entry at a time, so neither is ever held whole in memory as bytes.
    /// </summary>
    private static async Task<IResult> ImportAdvisoriesAsync(
        string? source, HttpContext context, AdvisoryDatabase database, IOptions<BerthOptions> options, CancellationToken ct)
    {
        if (!context.User.IsAdmin())
        {
            throw new ManagementException(StatusCodes.Status403Forbidden, "Forbidden", "Only administrators import advisories.");
        }

        source = string.IsNullOrWhiteSpace(source) ? "api" : source.Trim();
        if (source.Length > 200 || source.Any(char.IsControl))
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid source", "The source name must be at most 200 printable characters.");
        }

        var limit = options.Value.Scanning.MaxImportBytes;
        if (context.Request.ContentLength > limit)
        {
            throw new ManagementException(StatusCodes.Status413PayloadTooLarge, "Too large",
                $"The upload is {context.Request.ContentLength} bytes; the limit (Berth:Scanning:MaxImportBytes) is {limit}.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = limit;
        }

        var mediaType = ManifestValidator.NormalizeContentType(context.Request.ContentType) ?? "";
        var errors = new List<OsvReadError>();
        AdvisoryImportResult result;
        if (mediaType is "application/zip" or "application/x-zip-compressed")
        {
            await using var spool = new FileStream(Path.Combine(Path.GetTempPath(), "berth-vulndb-" + Guid.NewGuid().ToString("N") + ".zip"),
                FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await context.Request.Body.CopyToAsync(spool, ct);
            spool.Position = 0;
            try
            {
                result = await database.ImportAsync(OsvDocuments.ReadZip(spool, errors), source, errors, ct);
            }
            catch (InvalidDataException ex)
            {
                throw new ManagementException(StatusCodes.Status400BadRequest, "Not a zip archive", ex.Message);
            }
        }
        else if (mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal))
        {
            IReadOnlyList<OsvDocument> documents;
            try
            {
                documents = await OsvDocuments.ReadJsonAsync(context.Request.Body, source, errors, ct);
            }
            catch (JsonException ex)
            {
                throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid JSON", "The body is not JSON: " + ex.Message);
            }

            result = await database.ImportAsync(documents, source, errors, ct);
        }
        else
        {
            throw new ManagementException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send OSV JSON (application/json: one document or an array) or a zip archive of OSV files (application/zip).");
        }

        if (result.Added + result.Updated + result.Unchanged == 0 && result.Rejected > 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No valid advisories",
                detail: $"None of the {result.Rejected} documents is a valid OSV advisory; first: {result.Errors[0].Location}: {result.Errors[0].Message}");
        }

        return Results.Ok(result);
    }
}

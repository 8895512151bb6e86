using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// A registry's access tokens: the list with their last use, a form to create one (its token shown once: the POST
/// redirects (303) to <c>?created=true</c>, which takes it from TempData, so a reload shows it no more) and a revoke
/// button per token (confirmed in a second step, then 303 back here).
/// </summary>
public sealed class TokensModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, RegistryAccessTokens tokens) : PageModel
{
    private const string TokenKind = "registry-token";
    private const string TokenNameKind = "registry-token-name";

    public RegistrySummary Summary { get; private set; } = null!;

    public IReadOnlyList<RegistryTokenRecord> Tokens { get; private set; } = [];

    /// <summary>The new token's name (not "Name": that would shadow the registry's name in the route).</summary>
    [BindProperty]
    public string? TokenName { get; set; }

    [BindProperty]
    public bool Pull { get; set; } = true;

    [BindProperty]
    public bool Push { get; set; }

    [BindProperty]
    public bool Delete { get; set; }

    /// <summary>Repository patterns, one per line (empty: every repository).</summary>
    [BindProperty]
    public string? Repositories { get; set; }

    [BindProperty]
    public int? ExpiresInDays { get; set; } = 90;

    public string? Error { get; private set; }

    [BindProperty(SupportsGet = true)]
    public bool Created { get; set; }

    /// <summary>The new token, on the one GET that shows it.</summary>
    public string? NewToken { get; private set; }

    public string? NewTokenName { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public bool IsExpired(RegistryTokenRecord token) => tokens.IsExpired(token);

    public async Task OnGetAsync(string name)
    {
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, HttpContext.RequestAborted);
        await LoadAsync(registry);
        if (Created)
        {
            Response.Headers.CacheControl = "no-store";
            NewToken = OneTimeSecrets.Take(TempData, TokenKind, registry.Name);
            NewTokenName = OneTimeSecrets.Take(TempData, TokenNameKind, registry.Name);
        }
    }

    public async Task<IActionResult> OnPostCreateAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        var scopes = new List<string>(3);
        scopes.AddRange(Pull ? ["pull"] : []);
        scopes.AddRange(Push ? ["push"] : []);
        scopes.AddRange(Delete ? ["delete"] : []);
        var patterns = (Repositories ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        try
        {
            var (record, token) = await tokens.CreateAsync(registry, TokenName, scopes, patterns, ExpiresInDays, AuditActor.From(HttpContext), ct);
            OneTimeSecrets.Put(TempData, TokenKind, registry.Name, token);
            OneTimeSecrets.Put(TempData, TokenNameKind, registry.Name, record.Name);
        }
        catch (ManagementException ex) when (ex.Status is StatusCodes.Status400BadRequest or StatusCodes.Status409Conflict)
        {
            Error = ex.Message;
            Response.StatusCode = ex.Status;
            await LoadAsync(registry);
            return Page();
        }

        return new SeeOtherResult($"/registries/{registry.Name}/tokens?created=true");
    }

    public async Task<IActionResult> OnPostRevokeAsync(string name, string id)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        await tokens.RevokeAsync(registry, id, AuditActor.From(HttpContext), ct);
        Notice = $"Token {id} was revoked: it no longer works, on any node.";
        return new SeeOtherResult($"/registries/{registry.Name}/tokens");
    }

    private async Task LoadAsync(RegistryRecord registry)
    {
        var ct = HttpContext.RequestAborted;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Tokens = await tokens.ListAsync(registry, ct);
    }
}

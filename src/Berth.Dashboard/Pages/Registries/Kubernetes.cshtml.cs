using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// An imagePullSecret for the registry: by default with a new pull-only access token; to embed the password instead
/// (the server never keeps it) the owner types the current one (checked against the stored hash) or asks for a reset,
/// whose new password is shown once and embedded. The POST redirects (303)
/// to <c>?done=true</c>, which shows the Secret once.
/// </summary>
public sealed class KubernetesModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, PullSecretIssuer issuer) : PageModel
{
    private const string YamlKind = "k8s-yaml";
    private const string SnippetKind = "k8s-snippet";
    private const string NamespaceKind = "k8s-namespace";
    private const string SecretNameKind = "k8s-name";
    private const string PasswordKind = "k8s-password";
    private const string TokenNameKind = "k8s-token";

    public RegistrySummary Summary { get; private set; } = null!;

    [BindProperty]
    public string Namespace { get; set; } = "default";

    [BindProperty]
    public string SecretName { get; set; } = "";

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public bool ResetPassword { get; set; }

    public string? Error { get; private set; }

    /// <summary>This GET is the result of generating a Secret (query string).</summary>
    [BindProperty(SupportsGet = true)]
    public bool Done { get; set; }

    public string? Yaml { get; private set; }

    public string? Snippet { get; private set; }

    public Credentials? Reset { get; private set; }

    /// <summary>The name of the pull-only access token the Secret holds (when it holds one).</summary>
    public string? TokenName { get; private set; }

    public async Task OnGetAsync(string name)
    {
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, HttpContext.RequestAborted);
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, HttpContext.RequestAborted);
        SecretName = $"{registry.Name}-pull";
        if (Done)
        {
            // The Secret embeds the password: it comes from the POST once, in TempData, and a reload finds nothing.
            Response.Headers.CacheControl = "no-store";
            Yaml = OneTimeSecrets.Take(TempData, YamlKind, registry.Name);
            Snippet = OneTimeSecrets.Take(TempData, SnippetKind, registry.Name);
            Namespace = OneTimeSecrets.Take(TempData, NamespaceKind, registry.Name) ?? Namespace;
            SecretName = OneTimeSecrets.Take(TempData, SecretNameKind, registry.Name) ?? SecretName;
            TokenName = OneTimeSecrets.Take(TempData, TokenNameKind, registry.Name);
            if (OneTimeSecrets.Take(TempData, PasswordKind, registry.Name) is { } password)
            {
                Reset = new Credentials(Summary.LoginHost, Summary.Endpoint, registry.Name, password);
            }
        }
    }

    public async Task<IActionResult> OnPostAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Namespace = Namespace.Trim();
        SecretName = SecretName.Trim();
        PullSecret secret;
        try
        {
            secret = await issuer.IssueAsync(registry, Namespace, SecretName, Password, ResetPassword, Summary.LoginHost, AuditActor.From(HttpContext), ct);
        }
        catch (ManagementException ex) when (ex.Status is StatusCodes.Status400BadRequest or StatusCodes.Status409Conflict)
        {
            Error = ex.Message;
            Response.StatusCode = ex.Status;
            return Page();
        }

        if (secret.NewPassword is { } newPassword)
        {
            OneTimeSecrets.Put(TempData, PasswordKind, registry.Name, newPassword);
        }

        if (secret.Token is { } token)
        {
            OneTimeSecrets.Put(TempData, TokenNameKind, registry.Name, token.Name);
        }

        OneTimeSecrets.Put(TempData, YamlKind, registry.Name, secret.Yaml);
        OneTimeSecrets.Put(TempData, SnippetKind, registry.Name, secret.Snippet);
        OneTimeSecrets.Put(TempData, NamespaceKind, registry.Name, Namespace);
        OneTimeSecrets.Put(TempData, SecretNameKind, registry.Name, SecretName);
        return new SeeOtherResult($"/registries/{registry.Name}/kubernetes?done=true");
    }
}

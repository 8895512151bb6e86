using Berth.Registry.Auth;

namespace Berth.Registry.Distribution;

/// <summary>An authenticated, authorised /v2 request on one repository, handed to a resource handler.</summary>
public sealed record V2Request(HttpContext Http, V2Route Route, RepositoryTarget Target, RegistryPrincipal Principal)
{
    public string RegistryId => Principal.RegistryId;

    public HttpRequest Request => Http.Request;

    public HttpResponse Response => Http.Response;

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The /v2 path prefix of this repository, for Location headers.</summary>
    public string BasePath => "/v2/" + Target.Name;
}

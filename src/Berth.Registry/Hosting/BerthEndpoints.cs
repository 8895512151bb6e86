using Berth.Registry.Auth;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Berth.Registry.Observability;

namespace Berth.Registry.Hosting;

public static class BerthEndpoints
{
    /// <summary>Maps the registry: <c>/v2</c>, <c>/auth/token</c>, the management API and the operations endpoints.</summary>
    public static IEndpointRouteBuilder MapBerthEndpoints(this IEndpointRouteBuilder app)
    {
        var dispatcher = app.ServiceProvider.GetRequiredService<V2Dispatcher>();
        app.Map("/v2", dispatcher.HandleAsync).ExcludeFromDescription();
        app.Map("/v2/{**path}", dispatcher.HandleAsync).ExcludeFromDescription();
        app.MapBerthTokenEndpoint();
        app.MapBerthFederationTokenEndpoint();
        app.MapBerthManagementApi();
        app.MapBerthOpenApi();
        app.MapBerthObservability();
        return app;
    }
}

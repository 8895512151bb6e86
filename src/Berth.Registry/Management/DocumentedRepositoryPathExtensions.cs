namespace Berth.Registry.Management;

public static class DocumentedRepositoryPathExtensions
{
    public static RouteHandlerBuilder WithDocumentedPath(this RouteHandlerBuilder builder, string template) =>
        builder.WithMetadata(new DocumentedRepositoryPath(template));
}

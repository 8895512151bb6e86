using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Berth.Registry.Management;

/// <summary>
/// Rewrites the API descriptions of repository catch-all endpoints to their documented paths and parameters, so the
/// OpenAPI document lists <c>…/repositories/{repository}/tags</c> and its siblings as separate paths instead of one
/// <c>…/repositories/{path}</c> per method.
/// </summary>
internal sealed partial class DocumentedRepositoryPathProvider : IApiDescriptionProvider
{
    // After the built-in providers, which create the descriptions.
    public int Order => 0;

    public void OnProvidersExecuting(ApiDescriptionProviderContext context)
    {
    }

    public void OnProvidersExecuted(ApiDescriptionProviderContext context)
    {
        foreach (var description in context.Results)
        {
            if (description.ActionDescriptor.EndpointMetadata.OfType<DocumentedRepositoryPath>().FirstOrDefault() is not { } documented ||
                description.ParameterDescriptions.FirstOrDefault(p => p.Name == "path") is not { } catchAll)
            {
                continue;
            }

            description.RelativePath = CatchAll().Replace(description.RelativePath ?? "", documented.Template);
            var index = description.ParameterDescriptions.IndexOf(catchAll);
            description.ParameterDescriptions.RemoveAt(index);
            foreach (var name in Parameter().Matches(documented.Template).Select(m => m.Groups[1].Value).Reverse())
            {
                description.ParameterDescriptions.Insert(index, new ApiParameterDescription
                {
                    Name = name,
                    Source = BindingSource.Path,
                    Type = typeof(string),
                    ModelMetadata = catchAll.ModelMetadata,
                    IsRequired = true,
                });
            }
        }
    }

    [GeneratedRegex(@"\{\**path[^}]*\}")]
    private static partial Regex CatchAll();

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Parameter();
}

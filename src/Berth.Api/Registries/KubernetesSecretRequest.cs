namespace Berth.Api;

/// <summary>Body of <c>POST /api/v1/registries/{name}/kubernetes-secret</c>.</summary>
public sealed record KubernetesSecretRequest(string? Namespace, string? SecretName, string? Password, bool ResetPassword);

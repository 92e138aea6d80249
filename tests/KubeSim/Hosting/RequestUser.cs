using Microsoft.AspNetCore.Http;

namespace KubeSim.Hosting;

/// <summary>
/// Who sent a request: authentication sets it once (the configured user for a valid or placeholder bearer
/// token), authorization and SelfSubjectAccessReviews read it.
/// </summary>
public static class RequestUser
{
    const string Key = "kubesim.user";
    public const string Anonymous = "system:anonymous";

    public static void Set(HttpContext ctx, string user) => ctx.Items[Key] = user;

    public static string Of(HttpContext ctx) => ctx.Items[Key] as string ?? Anonymous;
}

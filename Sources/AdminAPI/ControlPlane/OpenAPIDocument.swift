import DisasterRecovery

/// `GET /_mock/openapi.json`: an OpenAPI 3.1 document of every route the router serves (from the
/// route tables themselves) and of the control plane. A test checks both directions: every route
/// appears, and every documented operation is answered by the router.
enum OpenAPIDocument {
    static func make(service: AdminService, plane: ControlPlane) -> JSONValue {
        var paths: [(String, [(String, JSONValue)])] = []
        func add(_ path: String, _ method: String, _ op: JSONValue) {
            if let i = paths.firstIndex(where: { $0.0 == path }) {
                paths[i].1.append((method.lowercased(), op))
            } else {
                paths.append((path, [(method.lowercased(), op)]))
            }
        }
        for route in service.routes {
            add("/{context}/" + route.pattern, route.method, apiOperation(route))
        }
        for route in plane.routes {
            add("/_mock/" + route.pattern, route.method, controlOperation(route))
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "drmock: ArcGIS Enterprise on Kubernetes Administrator API (disaster recovery) emulator",
                "version": "0.1.0",
                "description": "The emulated Enterprise Administrator API under /{context}/ (errors are HTTP 200 with an error envelope unless --http-error-status), and drmock's control plane under /_mock/ (real HTTP statuses).",
            ],
            "servers": [["url": "/"]],
            "components": [
                "securitySchemes": [
                    "token": ["type": "apiKey", "in": "query", "name": "token", "description": "A token from generateToken, as the 'token' parameter (form body for POST)."],
                    "bearer": ["type": "http", "scheme": "bearer", "description": "Authorization: Bearer <token>"],
                    "esriBearer": ["type": "apiKey", "in": "header", "name": "X-Esri-Authorization", "description": "X-Esri-Authorization: Bearer <token>"],
                ],
                "schemas": [
                    "Error": [
                        "type": "object",
                        "properties": ["error": ["type": "object", "properties": [
                            "code": ["type": "integer"], "message": ["type": "string"],
                            "details": ["type": "array", "items": ["type": "string"]],
                        ], "required": ["code", "message", "details"]]],
                    ],
                ],
            ],
            "paths": .object(paths.map { ($0.0, .object($0.1)) }),
        ]
    }

    static let security: JSONValue = [["token": []], ["bearer": []], ["esriBearer": []]]

    static func pathParameters(_ pattern: String) -> [JSONValue] {
        pattern.split(separator: "/").filter { $0.hasPrefix("{") }.map { seg in
            ["name": .string(String(seg.dropFirst().dropLast())), "in": "path", "required": true, "schema": ["type": "string"]]
        }
    }

    static func apiOperation(_ route: Route) -> JSONValue {
        var params: [JSONValue] = [["name": "context", "in": "path", "required": true, "schema": ["type": "string"],
                                    "description": "the web context (e.g. arcgis); each context is its own deployment"]]
        params += pathParameters(route.pattern)
        params.append(["name": "f", "in": "query", "required": false, "schema": ["type": "string", "enum": ["html", "json", "pjson"], "default": "html"]])
        var pairs: [(String, JSONValue)] = [
            ("summary", .string(route.title)),
            ("operationId", .string(operationID(route.method, route.pattern))),
            ("tags", ["ArcGIS Enterprise Administrator API"]),
            ("parameters", .array(params)),
        ]
        if route.method == "POST" {
            let known = formFields.first { route.pattern.hasSuffix($0.suffix) }?.fields ?? []
            var properties: [(String, JSONValue)] = known.map { ($0.hasSuffix("*") ? String($0.dropLast()) : $0, ["type": "string"]) }
            properties += [("f", ["type": "string", "enum": ["html", "json", "pjson"]]), ("token", ["type": "string"])]
            let required = known.filter { $0.hasSuffix("*") }.map { JSONValue.string(String($0.dropLast())) }
            pairs.append(("requestBody", ["content": ["application/x-www-form-urlencoded": ["schema": [
                "type": "object", "properties": .object(properties), "required": .array(required),
                "additionalProperties": ["type": "string"]]]]]))
        }
        var responses: [(String, JSONValue)] = [("200", ["description": "The resource or operation result, or an error envelope (decision 2: HTTP 200).",
                                                         "content": ["application/json": ["schema": ["type": "object"]], "text/html": ["schema": ["type": "string"]]]])]
        if route.page != nil { responses.append(("302", ["description": "A redirect to the client's redirect_uri (OAuth 2 sign-in)."])) }
        pairs.append(("responses", .object(responses)))
        if case .open = route.access { pairs.append(("security", [])) } else { pairs.append(("security", security)) }
        return .object(pairs)
    }

    /// The documented form fields of the emulated operations, by the end of their path (`*`: required).
    static let formFields: [(suffix: String, fields: [String])] = [
        ("sharing/rest/generateToken", ["username*", "password*", "client", "referer", "ip", "expiration"]),
        ("sharing/oauth2/signin", ["oauth_state*", "username*", "password*", "expiration"]),
        ("sharing/rest/oauth2/token", ["grant_type*", "client_id*", "code*", "redirect_uri*", "expiration"]),
        ("portals/self/roles", ["start", "num"]),
        ("backups/create", ["name*", "passcode*", "description", "retentionDate"]),
        ("backuprestore/backup", ["name*", "storeName", "passcode*", "description"]),
        ("stores/register", ["storeName*", "settings*", "isDefault", "async"]),
        ("stores/{store}/update", ["settings*"]),
        ("settings/update", ["settings*"]),
        ("backups/{backup}/update", ["retentionDate*"]),
        ("backups/{backup}/delete", ["async"]),
        ("backups/{backup}/restore", ["passcode*", "storeName"]),
        ("tasks/createTask", ["title", "type*", "parameters*", "minute", "hour", "dayOfMonth", "month", "dayOfWeek",
                              "startDate", "endDate", "maxOccurrences"]),
        ("tasks/{task}/update", ["title", "parameters", "minute", "hour", "dayOfMonth", "month", "dayOfWeek",
                                 "startDate", "endDate", "maxOccurrences"]),
    ]

    static func controlOperation(_ route: ControlRoute) -> JSONValue {
        var params = pathParameters(route.pattern)
        if route.access == .authorized {
            params.append(["name": "context", "in": "query", "required": false, "schema": ["type": "string"],
                           "description": "the context addressed (default: the server's --context)"])
        }
        var form: [(String, JSONValue)] = []
        var required: [JSONValue] = []
        for p in route.parameters {
            let schema: JSONValue = ["type": p.integer ? "integer" : "string"]
            if route.method == "POST" {
                form.append((p.name, ["type": p.integer ? "integer" : "string", "description": .string(p.summary)]))
                if p.required { required.append(.string(p.name)) }
            } else {
                params.append(["name": .string(p.name), "in": "query", "required": .bool(p.required), "schema": schema, "description": .string(p.summary)])
            }
        }
        var pairs: [(String, JSONValue)] = [
            ("summary", .string(route.summary)),
            ("operationId", .string(operationID(route.method, "mock/" + route.pattern))),
            ("tags", ["drmock control plane"]),
            ("parameters", .array(params)),
        ]
        if route.method == "POST" {
            pairs.append(("requestBody", ["required": .bool(!required.isEmpty), "content": ["application/x-www-form-urlencoded": [
                "schema": ["type": "object", "properties": .object(form), "required": .array(required)]]]]))
        }
        pairs.append(("responses", [
            "200": ["description": "OK", "content": ["application/json": ["schema": ["type": "object"]]]],
            "default": ["description": "An error, with its HTTP status", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]],
        ]))
        pairs.append(("security", route.access == .authorized ? security : []))
        return .object(pairs)
    }

    static func operationID(_ method: String, _ pattern: String) -> String {
        var out = method.lowercased()
        for seg in pattern.split(whereSeparator: { $0 == "/" || $0 == "." || $0 == "-" }) {
            let s = seg.filter { $0 != "{" && $0 != "}" }
            out += s.prefix(1).uppercased() + s.dropFirst()
        }
        return out
    }
}

// The API reference page: renders /openapi.json (built by scripts/openapi.mjs from the
// routes' declarations) as one section a tag and one collapsible entry an operation, with
// its parameters, body, responses, error codes and examples. DOM building only: no inline
// script or style, so it runs under the site's CSP.

/**
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @param {(Node | string | null | undefined)[]} [children]
 */
function el(tag, attributes = {}, children = []) {
	const node = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
	for (const child of children) if (child != null) node.append(child);
	return node;
}

/** A schema's type in words: `string`, `array of object`, `"up" | "down"`. */
function typeOf(schema) {
	if (!schema || typeof schema !== "object") return "any";
	if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
	if ("const" in schema) return JSON.stringify(schema.const);
	const options = schema.anyOf ?? schema.oneOf;
	if (options) return options.map(typeOf).join(" or ");
	if (schema.type === "array") return `array of ${typeOf(schema.items)}`;
	if (Array.isArray(schema.type)) return schema.type.join(" or ");
	return schema.type ?? "any";
}

const RULES = [
	["minLength", "at least %s characters"],
	["maxLength", "at most %s characters"],
	["minItems", "at least %s items"],
	["maxItems", "at most %s items"],
	["minimum", "≥ %s"],
	["maximum", "≤ %s"],
	["pattern", "matches %s"],
	["format", "%s"],
	["default", "default %s"],
];

/** The constraints of a schema, in words. */
function rulesOf(schema) {
	const rules = [];
	for (const [key, words] of RULES) {
		if (schema?.[key] !== undefined) rules.push(words.replace("%s", String(schema[key])));
	}
	if (schema?.description) rules.push(schema.description);
	return rules.join("; ");
}

/** The properties an object schema (or its options, or its items) lists. */
function objectsIn(schema) {
	if (!schema || typeof schema !== "object") return [];
	if (schema.properties) return [schema];
	if (schema.type === "array") return objectsIn(schema.items);
	return (schema.anyOf ?? schema.oneOf ?? []).flatMap(objectsIn);
}

/** A nested list of a schema's fields, their types and rules. */
function schemaList(schema, depth = 0) {
	const objects = objectsIn(schema);
	if (objects.length === 0 || depth > 6) return null;
	const list = el("ul", { class: "schema" });
	for (const object of objects) {
		const required = new Set(object.required ?? []);
		for (const [name, field] of Object.entries(object.properties)) {
			const rules = rulesOf(field);
			list.append(
				el("li", {}, [
					el("code", {}, [name]),
					required.has(name) ? " (required) " : " ",
					typeOf(field),
					rules ? el("span", { class: "rule" }, [` · ${rules}`]) : null,
					schemaList(field, depth + 1),
				]),
			);
		}
		if (object.additionalProperties === false && object.properties) {
			list.append(el("li", { class: "rule" }, ["No other keys."]));
		}
	}
	return list;
}

const example = (value) =>
	value === undefined ? null : el("pre", {}, [JSON.stringify(value, null, 2)]);

/** Paragraphs of a description (blank-line separated), with `code` spans. */
function prose(text) {
	if (!text) return [];
	return text.split(/\n\n+/).map((paragraph) => {
		const p = el("p");
		paragraph.split(/(`[^`]+`)/).forEach((part, i) => {
			p.append(i % 2 ? el("code", {}, [part.slice(1, -1)]) : part);
		});
		return p;
	});
}

function responseEntry(status, response) {
	const isError = Number(status) >= 400;
	const media = Object.entries(response.content ?? {});
	return el("li", {}, [
		el("span", { class: `status${isError ? " error" : ""}` }, [status]),
		" ",
		...prose(response.description),
		...media.map(([type, content]) =>
			el("div", {}, [
				el("code", {}, [type]),
				content.schema?.description && !content.schema.properties
					? ` ${content.schema.description}`
					: null,
				schemaList(content.schema),
				example(content.example),
			]),
		),
	]);
}

function operationEntry(path, method, operation, schemes) {
	const parameters = operation.parameters ?? [];
	const security = (operation.security ?? [])
		.flatMap((way) => Object.keys(way))
		.map((name) => `${name}: ${schemes[name]?.description ?? ""}`);
	const body = operation.requestBody?.content?.["application/json"];
	return el("details", { class: "operation", id: operation.operationId }, [
		el("summary", {}, [
			el("span", { class: `method ${method}` }, [method.toUpperCase()]),
			el("code", {}, [path]),
			el("span", { class: "meta" }, [operation.summary]),
		]),
		el("div", {}, [
			...prose(operation.description),
			security.length
				? el("p", {}, [
						"Authorization: ",
						operation.security.some((way) => Object.keys(way).length === 0)
							? "when configured; "
							: "",
						security.join(" Or "),
					])
				: el("p", { class: "hint" }, ["Open: no token."]),
			parameters.length ? el("h4", {}, ["Parameters"]) : null,
			parameters.length
				? el(
						"ul",
						{ class: "schema" },
						parameters.map((parameter) =>
							el("li", {}, [
								el("code", {}, [parameter.name]),
								` (${parameter.in}${parameter.required ? ", required" : ""}) `,
								typeOf(parameter.schema),
								el("span", { class: "rule" }, [
									rulesOf(parameter.schema) ? ` · ${rulesOf(parameter.schema)}` : "",
								]),
							]),
						),
					)
				: null,
			body ? el("h4", {}, ["Body (application/json)"]) : null,
			body ? schemaList(body.schema) : null,
			body ? example(body.example) : null,
			el("h4", {}, ["Responses"]),
			el(
				"ul",
				{ class: "schema" },
				Object.entries(operation.responses).map(([status, response]) =>
					responseEntry(status, response),
				),
			),
		]),
	]);
}

async function render() {
	const main = /** @type {HTMLElement} */ (document.getElementById("reference"));
	const res = await fetch("/openapi.json");
	if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`);
	const spec = await res.json();
	const schemes = spec.components?.securitySchemes ?? {};
	const sections = new Map(
		(spec.tags ?? []).map((tag) => [
			tag.name,
			el("section", { id: `tag-${tag.name}` }, [
				el("h2", {}, [tag.name]),
				...prose(tag.description),
			]),
		]),
	);
	for (const [path, methods] of Object.entries(spec.paths)) {
		for (const [method, operation] of Object.entries(methods)) {
			const tag = operation.tags?.[0] ?? "other";
			if (!sections.has(tag)) sections.set(tag, el("section", {}, [el("h2", {}, [tag])]));
			sections.get(tag)?.append(operationEntry(path, method, operation, schemes));
		}
	}
	main.replaceChildren(
		el("p", {}, [`${spec.info.title}, version ${spec.info.version}. `]),
		...prose(spec.info.description),
		...sections.values(),
	);
	main.removeAttribute("aria-busy");
	// A link to an operation opens it.
	const target = location.hash && document.getElementById(location.hash.slice(1));
	if (target instanceof HTMLDetailsElement) target.open = true;
}

render().catch((err) => {
	const main = document.getElementById("reference");
	main?.replaceChildren(el("p", { role: "alert" }, [`Could not read the API: ${err.message}`]));
	main?.removeAttribute("aria-busy");
});

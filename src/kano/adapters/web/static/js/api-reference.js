/* Starts the vendored Swagger UI on /api/v1/docs (src/kano/adapters/api/reference.py).
 * A file of its own, not an inline script, so the page runs under script-src 'self'.
 * validatorUrl: null keeps Swagger UI from asking validator.swagger.io about the document
 * (offline installs, connect-src 'self'). The Authorize button offers the bearer scheme
 * the OpenAPI declares, and "Try it out" sends "Authorization: Bearer <token>". */
"use strict";

/* Every operation in the page, not only those on screen.
 *
 * Since 5.33.0 Swagger UI virtualizes the operations list once it has 150 rows or more
 * (a row per tag plus one per operation of an open tag; the threshold is fixed in the
 * bundle, no option changes it): only the rows in the viewport, plus three, are in the
 * page, and the others are mounted while the reader scrolls. Kano's 16 tags and 134+
 * operations cross it, so with the tags open a fresh page held the first tag and a few
 * operations. That is what looked like "stops rendering after the first tag": nothing
 * failed, the rest was simply not in the document. A reader loses the browser's Find
 * (Ctrl+F finds only what is mounted; swagger-api/swagger-ui#11056, open) and the page's
 * height jumps while rows are measured.
 *
 * This plugin replaces the "operations" component with the plain rendering Swagger UI
 * itself still uses below the threshold: each tag (OperationTag) with its operations
 * (OperationContainer), built from the same selectors, so the filter box, deep links,
 * docExpansion and "Try it out" behave as upstream. The price at Kano's size, measured
 * in headless Chromium on a loaded 2-core machine (2026-12-07, 6 loads each): ~4,700 DOM
 * nodes instead of ~800, main-thread script 3.0 s instead of 1.8 s (median) on the first
 * render; Swagger UI before 5.33 rendered every spec this way. The browser test counts
 * every operation of /api/v1/openapi.json in the page, so a Swagger UI upgrade that
 * renames these components fails there. */
function kanoAllOperationsPlugin(system) {
  var h = system.React.createElement;

  function Operations(props) {
    var specSelectors = props.specSelectors;
    var getComponent = props.getComponent;
    var taggedOperations = specSelectors.taggedOperations();
    var methods = specSelectors.validOperationMethods();
    if (taggedOperations.size === 0) {
      return h("h3", null, "No operations defined in spec!");
    }
    var OperationTag = getComponent("OperationTag");
    var OperationContainer = getComponent("OperationContainer", true);
    var specUrl = specSelectors.url();
    return h("div", null, taggedOperations.map(function (tagObj, tag) {
      var operations = tagObj.get("operations").map(function (op) {
        var path = op.get("path");
        var method = op.get("method");
        if (methods.indexOf(method) === -1) {
          return null;
        }
        return h(OperationContainer, {
          key: path + "-" + method, specPath: op.get("specPath"), op: op, path: path,
          method: method, tag: tag,
        });
      }).toArray();
      return h(OperationTag, {
        key: "operation-" + tag, tagObj: tagObj, tag: tag,
        oas3Selectors: props.oas3Selectors, layoutSelectors: props.layoutSelectors,
        layoutActions: props.layoutActions, getConfigs: props.getConfigs,
        getComponent: getComponent, specUrl: specUrl,
      }, h("div", { className: "operation-tag-content" }, operations));
    }).valueSeq().toArray());
  }

  return { components: { operations: Operations } };
}

/* Every schema in the page, not only those on screen.
 *
 * The Schemas section at the foot of the page has its own virtualized list: from 100
 * schemas on (fixed in the bundle like the operations' 150), only the ones scrolled into
 * its box are in the page. Kano's OpenAPI 3.1 document has 200+, so Find missed most of
 * them and a schema could only be reached by scrolling that box.
 *
 * This plugin replaces "OAS31Models", the section Swagger UI shows for OpenAPI 3.1 and
 * 3.2, with the plain rendering it still uses below the threshold: one JSONSchema202012
 * per schema, titled as upstream, each folded until opened (a fold holds a title row,
 * so the cost is a few elements per schema). Opening one resolves its references and
 * registers it for deep links and "scroll to schema" the way upstream's SchemaItem does.
 * The price at Kano's 217 schemas (bench/api_reference_render.py, headless Chromium on a
 * loaded 2-core machine, 2026-12-07): ~5,600 elements instead of ~3,400 and some 0.3-0.5 s
 * more main-thread script on the first render (median 2.4 s instead of 2.0 s). The browser
 * test checks every schema of /api/v1/openapi.json is in the page. */
function kanoAllSchemasPlugin(system) {
  var React = system.React;
  var h = React.createElement;
  var SCHEMAS = ["components", "schemas"];

  var SchemaItem = React.memo(function SchemaItem(props) {
    var schemaName = props.schemaName;
    var specSelectors = props.specSelectors;
    var specActions = props.specActions;
    var layoutActions = props.layoutActions;
    var JSONSchema = props.getComponent("JSONSchema202012");
    var onExpand = React.useCallback(function (event, expanded) {
      var path = SCHEMAS.concat([schemaName]);
      if (expanded && specSelectors.specResolvedSubtree(path) == null) {
        specActions.requestResolvedSubtree(path);
      }
      layoutActions.show(path, expanded);
    }, [schemaName, specSelectors, specActions, layoutActions]);
    var ready = React.useCallback(function (node) {
      if (node !== null) {
        layoutActions.readyToScroll(SCHEMAS.concat([schemaName]), node);
      }
    }, [schemaName, layoutActions]);
    return JSONSchema
      ? h(JSONSchema, { ref: ready, schema: props.schema, name: props.name, onExpand: onExpand })
      : null;
  });

  function Schemas(props) {
    var specSelectors = props.specSelectors;
    var specActions = props.specActions;
    var layoutSelectors = props.layoutSelectors;
    var layoutActions = props.layoutActions;
    var getComponent = props.getComponent;
    var configs = props.getConfigs();
    var depth = configs.defaultModelsExpandDepth;
    var isOpen = layoutSelectors.isShown(SCHEMAS, depth > 0 && configs.docExpansion !== "none");
    var getTitle = props.fn.jsonSchema202012.useFn().getTitle;
    var schemas = specSelectors.selectSchemas();
    var entries = React.useMemo(function () { return Object.entries(schemas); }, [schemas]);
    React.useEffect(function () {
      var anyShown = entries.some(function (entry) {
        return layoutSelectors.isShown(SCHEMAS.concat([entry[0]]), false);
      });
      if (isOpen && (depth > 1 || anyShown) && specSelectors.specResolvedSubtree(SCHEMAS) == null) {
        specActions.requestResolvedSubtree(SCHEMAS);
      }
    }, [isOpen, depth]);
    var toggle = React.useCallback(function () {
      layoutActions.show(SCHEMAS, !isOpen);
    }, [isOpen]);
    var ready = React.useCallback(function (node) {
      if (node !== null) {
        layoutActions.readyToScroll(SCHEMAS, node);
      }
    }, []);
    if (!entries.length || depth < 0) {
      return null;
    }
    var Collapse = getComponent("Collapse");
    var Arrow = getComponent(isOpen ? "ArrowUpIcon" : "ArrowDownIcon");
    return h("section", { className: isOpen ? "models is-open" : "models", ref: ready },
      h("h4", null, h("button", { "aria-expanded": isOpen, className: "models-control", onClick: toggle },
        h("span", null, "Schemas"), h(Arrow, null))),
      h(Collapse, { isOpened: isOpen }, entries.map(function (entry) {
        return h(SchemaItem, {
          key: entry[0], schemaName: entry[0], schema: entry[1],
          name: getTitle(entry[1], { lookup: "basic" }) || entry[0],
          specSelectors: specSelectors, specActions: specActions,
          layoutActions: layoutActions, getComponent: getComponent,
        });
      })));
  }

  return { components: { OAS31Models: Schemas } };
}

/* Swagger UI's own words in the reader's language.
 *
 * Swagger UI has no translations: "Try it out", "Parameters", "Responses" … are English
 * in its components. The page (src/kano/adapters/api/reference.py) carries, in
 * data-words, those words mapped to the reader's language from Kano's gettext catalogue
 * (empty in English). A MutationObserver puts them in place as Swagger UI renders: a
 * text node or a placeholder, aria-label or title whose whole text (spaces aside) is a
 * dictionary word. It runs before the browser paints, so no English flashes; React only
 * rewrites a text when its own value changes ("Try it out" → "Cancel"), and that write is
 * observed and translated in turn. What the OpenAPI document says (summaries,
 * descriptions, names, examples) is left as written, even where it happens to be one of
 * the words. Cost at Kano's size: one pass over each inserted subtree. */
var SPEC_TEXT = [
  ".info", ".markdown", ".renderedMarkdown", ".opblock-tag a", ".opblock-summary-path",
  ".opblock-summary-description", "div.parameter__name", ".parameter__type", ".parameter__in",
  ".json-schema-2020-12__title", "[class*='keyword__value']", ".headerline", "pre", "code",
  "textarea", "option",
].join(", ");
// Swagger UI's own labels that it renders through its Markdown component
var LABELS_IN_SPEC_TEXT = ".parameter__enum i, .parameter__default i";
var TRANSLATED_ATTRIBUTES = ["placeholder", "aria-label", "title"];
// Swagger UI's sentences written around a <code> ("Controls <code>Accept</code> header."):
// the msgid is the sentence's whole text, and its translation keeps the code's text
// ("Задаёт заголовок Accept."), so the text nodes either side of the code are rewritten.
var SENTENCES_AROUND_CODE = ".response-control-media-type__accept-message";

function translateSwaggerUi(root, words) {
  function translation(text, element) {
    var word = text.trim();
    if (!word || !Object.prototype.hasOwnProperty.call(words, word)) {
      return null;
    }
    if (!element || (element.closest(SPEC_TEXT) && !element.matches(LABELS_IN_SPEC_TEXT))) {
      return null;
    }
    return text.replace(word, words[word]);
  }

  function translateText(node) {
    var translated = translation(node.nodeValue, node.parentElement);
    if (translated !== null) {
      node.nodeValue = translated;
    }
  }

  function translateAttributes(element) {
    TRANSLATED_ATTRIBUTES.forEach(function (name) {
      var value = element.getAttribute(name);
      var translated = value && translation(value, element);
      if (translated) {
        element.setAttribute(name, translated);
      }
    });
  }

  function translateSentence(element) {
    var code = element.querySelector("code");
    var sentence = element.textContent.replace(/\s+/g, " ").trim();
    if (!code || !Object.prototype.hasOwnProperty.call(words, sentence)) {
      return;
    }
    var translated = words[sentence];
    var name = code.textContent;
    var at = translated.indexOf(name);
    var before = code.previousSibling;
    var after = code.nextSibling;
    if (at < 0 || !before || before.nodeType !== Node.TEXT_NODE
        || (after && after.nodeType !== Node.TEXT_NODE)) {
      return;
    }
    before.nodeValue = translated.slice(0, at);
    if (after) {
      after.nodeValue = translated.slice(at + name.length);
    }
  }

  function translateTree(node) {
    if (node.nodeType === Node.TEXT_NODE) {
      translateText(node);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    if (node.matches(SENTENCES_AROUND_CODE)) {
      translateSentence(node);
    }
    node.querySelectorAll(SENTENCES_AROUND_CODE).forEach(translateSentence);
    translateAttributes(node);
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (var current = walker.nextNode(); current; current = walker.nextNode()) {
      if (current.nodeType === Node.TEXT_NODE) {
        translateText(current);
      } else {
        translateAttributes(current);
      }
    }
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      if (record.type === "characterData") {
        translateText(record.target);
      } else if (record.type === "attributes") {
        translateAttributes(record.target);
      } else {
        record.addedNodes.forEach(translateTree);
      }
    });
  }).observe(root, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: TRANSLATED_ATTRIBUTES,
  });
}

window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  var words = JSON.parse(root.dataset.words || "{}");
  if (Object.keys(words).length > 0) {
    translateSwaggerUi(root, words);
  }
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [kanoAllOperationsPlugin, kanoAllSchemasPlugin],
    layout: "BaseLayout",
    validatorUrl: null,
    persistAuthorization: false,
    displayRequestDuration: true,
    filter: true,
    // Tags start open, each operation as one line (method, path, summary) that opens
    // on a click: a reader sees the whole API at once and finds an endpoint with the
    // browser's Find, which folded tags would hide; the filter box narrows by tag or path.
    docExpansion: "list",
  });
});

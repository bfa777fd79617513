/* The review viewer's behaviour: grid, lightbox, keys and takes side by side. No network. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("storyforge-data").textContent);
  var steps = [];
  data.scenes.forEach(function (scene) {
    scene.steps.forEach(function (step) { step.sceneTitle = scene.title; steps.push(step); });
  });
  var items = steps.map(function (step) { return document.getElementById("p-" + step.id); });
  var current = 0;
  document.documentElement.classList.add("js");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function image(src, alt, cls) {
    var img = el("img", cls);
    img.src = src;
    img.alt = alt;
    return img;
  }

  var dialog = el("dialog", "lightbox");
  dialog.id = "lightbox";
  document.body.appendChild(dialog);

  function bar(step) {
    var row = el("div", "lb-bar");
    var label = step.board ? step.board.label + " · " : "";
    row.appendChild(el("span", "title", label + step.id + " · " + step.sceneTitle));
    row.appendChild(el("span", "badge", step.status));
    [["‹", -1, "prev"], ["›", 1, "next"], ["×", 0, "close"]].forEach(function (b) {
      var button = el("button", b[2], b[0]);
      button.type = "button";
      button.setAttribute("aria-label", b[2]);
      button.addEventListener("click", function () {
        if (b[1]) { select(current + b[1]); } else { dialog.close(); }
      });
      row.appendChild(button);
    });
    return row;
  }

  function main(step) {
    var box = el("div", "lb-main");
    if (step.image) {
      box.appendChild(image(step.image.path, step.id, "shown"));
    } else {
      var empty = el("div", "frame");
      var mark = el("div", "empty");
      mark.appendChild(el("strong", null, step.status.toUpperCase()));
      mark.appendChild(el("span", null, step.reason));
      empty.appendChild(mark);
      box.appendChild(empty);
    }
    return box;
  }

  function words(side, board) {
    ["caption", "action", "notes"].forEach(function (key) {
      if (board[key]) { side.appendChild(el("p", key, board[key])); }
    });
    board.lines.forEach(function (line) {
      var p = el("p", "line " + line.kind);
      if (line.who) { p.appendChild(el("b", null, line.who + ": ")); }
      p.appendChild(document.createTextNode(line.text));
      side.appendChild(p);
    });
    board.sfx.forEach(function (text) { side.appendChild(el("p", "sfx", "SFX: " + text)); });
  }

  function sent(side, step) {
    side.appendChild(el("h3", null, "Sent to " + step.model));
    side.appendChild(el("pre", "prompt", step.prompt));
    var list = el("ol", "inputs");
    step.inputs.forEach(function (input) {
      var li = el("li");
      if (input.path) { li.appendChild(image(input.path, input.ref, "input-thumb")); }
      li.appendChild(document.createTextNode(input.label + " "));
      li.appendChild(el("code", null, input.ref));
      list.appendChild(li);
    });
    side.appendChild(list);
  }

  function side(step) {
    var box = el("div", "lb-side");
    var meta = items[current].querySelector(".meta");
    box.appendChild(el("p", "meta", meta ? meta.textContent : ""));
    if (step.reason) { box.appendChild(el("p", "reason", step.reason)); }
    if (step.board) { words(box, step.board); }
    sent(box, step);
    return box;
  }

  function compare(step) {
    var row = el("div", "compare");
    if (step.takes.length < 2) { return row; }
    step.takes.forEach(function (take) {
      var fig = el("figure", "take" + (take.selected ? " selected" : ""));
      fig.appendChild(image(take.path, "take " + take.take));
      var note = take.selected ? "selected" : "storyforge pick " + step.id + " " + take.take;
      var cap = el("figcaption", null, "take " + take.take + " · ");
      cap.appendChild(el("code", null, note));
      fig.appendChild(cap);
      row.appendChild(fig);
    });
    return row;
  }

  function fill() {
    var step = steps[current];
    dialog.textContent = "";
    dialog.dataset.step = step.id;
    dialog.className = "lightbox status-" + step.status;
    dialog.appendChild(bar(step));
    var body = el("div", "lb-body");
    body.appendChild(main(step));
    body.appendChild(side(step));
    dialog.appendChild(body);
    dialog.appendChild(compare(step));
    // The open board is in the address, so a reload (as `storyforge serve` does) keeps it open.
    history.replaceState(null, "", "#p-" + step.id);
  }

  dialog.addEventListener("close", function () {
    history.replaceState(null, "", location.pathname + location.search);
  });

  function select(index) {
    if (!steps.length) { return; }
    current = Math.max(0, Math.min(steps.length - 1, index));
    items.forEach(function (item, i) { item.classList.toggle("current", i === current); });
    items[current].scrollIntoView({ block: "nearest" });
    if (dialog.open) { fill(); }
  }

  function open(index) {
    select(index);
    fill();
    if (!dialog.open) { dialog.showModal(); }
  }

  items.forEach(function (item, i) {
    item.addEventListener("click", function (event) {
      event.preventDefault();
      open(i);
    });
  });

  var moves = { ArrowRight: 1, ArrowLeft: -1, j: 1, k: -1, J: 1, K: -1 };
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (moves[event.key]) {
      event.preventDefault();
      select(current + moves[event.key]);
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      select(event.key === "Home" ? 0 : steps.length - 1);
    } else if (event.key === "Enter" && !dialog.open) {
      event.preventDefault();
      open(current);
    }
  });

  var start = steps.findIndex(function (step) { return "#p-" + step.id === location.hash; });
  if (start >= 0) { open(start); } else { select(0); }
})();

export { buildWidget, WIDGET_GZIP_BUDGET, type WidgetBuild } from './build-widget';
export { widgetRoutes } from './widget.routes';

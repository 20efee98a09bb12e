// ECharts, only the parts the dashboard draws (tree-shaken), on canvas. Tooltips render as rich text on the
// canvas too: ECharts' HTML tooltips write innerHTML, which the page's Trusted Types policy refuses.
import { BarChart, LineChart, MapChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, MapChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent,
  CanvasRenderer]);

export const TOOLTIP = { renderMode: 'richText', trigger: 'item' };

export function draw(element, option, onClick) {
  const chart = echarts.getInstanceByDom(element) || echarts.init(element, null, { renderer: 'canvas' });
  chart.setOption(option, true);
  chart.off('click');
  if (onClick) chart.on('click', onClick);
  return chart;
}

export function registerMap(name, geojson) {
  echarts.registerMap(name, geojson);
}

export function dispose(element) {
  echarts.getInstanceByDom(element)?.dispose();
}
